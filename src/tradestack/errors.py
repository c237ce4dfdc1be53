"""Errors a user can cause, each with a message fit to print as one line.

The CLI prints ``str(error)`` and exits non-zero; the API maps them to one JSON
shape. Vendor exceptions are translated into these at the edge that sees them.
"""

from __future__ import annotations


class TradestackError(Exception):
    """Base of every error tradestack raises on purpose."""

    exit_code: int = 1


class ConfigError(TradestackError):
    """The settings (environment, .env or YAML file) are invalid."""

    exit_code = 2


class DatabaseUnavailableError(TradestackError):
    """The configured database cannot be reached or opened."""

    exit_code = 3


class DataImportError(TradestackError):
    """A market-data file could not be imported; nothing from it was stored."""

    exit_code = 4


class StorageFullError(TradestackError):
    """The disk under the database (or TRADESTACK_HOME) has no space left; the write was undone."""

    exit_code = 5


class NotFoundError(TradestackError):
    """A named thing (trader, order, symbol, strategy) does not exist."""


class InvalidOrderTransitionError(TradestackError):
    """An order was asked to move to a status its state machine forbids."""


class BusTimeoutError(TradestackError):
    """A request over the event bus got no reply in time."""


class ServiceUnavailableError(TradestackError):
    """The service cannot take this work now (draining, or a service it needs is silent).

    ``retry_after_s`` is the hint an API answer carries in its ``Retry-After`` header.
    """

    def __init__(self, message: str, *, retry_after_s: int = 5) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class RemoteCallError(TradestackError):
    """The target of a request over the event bus answered with an error."""


class VenueError(TradestackError):
    """An exchange answered with an error, or could not be asked; translated at the adapter."""


class OrderRejectedError(VenueError):
    """The venue refused an order for good (funds, size, price, type): never retried."""

    def __init__(self, reason: str, *, insufficient_funds: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.insufficient_funds = insufficient_funds


class VenueUnavailableError(VenueError):
    """The venue could not be reached or did not answer in time: retrying may help.

    For a submit, the outcome is unknown: the order may or may not be at the venue.
    """


class VenueRateLimitedError(VenueUnavailableError):
    """The venue asked us to slow down (HTTP 418/429 or its own rate-limit code)."""


class DuplicateClientOrderIdError(VenueError):
    """The venue already holds an order with this client id: look it up, never resend."""


class VenueAuthenticationError(VenueError):
    """The venue refused the API key (missing, wrong, or without permission)."""


class ReconciliationError(TradestackError):
    """Storage and venue could not be brought into agreement; the trader must stay halted."""


class BackupError(TradestackError):
    """A backup could not be made, found or restored."""

    exit_code = 5


class BusUnavailableError(TradestackError):
    """The configured event-bus server cannot be reached (or stayed down too long)."""

    exit_code = 10


class ProviderError(TradestackError):
    """A market-data provider (exchange, vendor) failed; bars stored before it stay stored."""

    exit_code = 9


class BackupCorruptError(BackupError):
    """A backup fails its checksums or row counts; it is never restored."""


class MigrationFailedError(TradestackError):
    """A schema, data or configuration migration failed; the message names the step."""

    exit_code = 6


class MoveError(TradestackError):
    """A database move could not start, or its copy does not match the source."""

    exit_code = 7


class LegacyImportError(TradestackError):
    """A legacy import cannot start, or some source rows did not arrive (each one is reported)."""

    exit_code = 8


class ProviderUnavailableError(ProviderError):
    """The provider cannot be reached (after retries)."""


class UnknownSymbolError(ProviderError):
    """The provider does not list the requested symbol or timeframe."""


class RateLimitedError(ProviderError):
    """Every API key is rate limited for longer than the caller is willing to wait."""


class ArchiveError(TradestackError):
    """An archive file is missing or failed verification; nothing was deleted or restored."""


class BusMigrationError(TradestackError):
    """Moving events between buses was refused or could not prove that nothing was lost."""

    exit_code = 11


class ConflictError(TradestackError):
    """The request contradicts the current state (a trader not running, an order already done)."""


class CommandInterrupted(TradestackError):
    """Ctrl-C stopped a long command; the message says what was kept."""

    exit_code = 130


class ModelArtefactError(TradestackError):
    """A model file is missing, altered (checksum mismatch), untrusted or unreadable."""
