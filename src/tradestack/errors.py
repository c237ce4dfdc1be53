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


class NotFoundError(TradestackError):
    """A named thing (trader, order, symbol, strategy) does not exist."""


class InvalidOrderTransitionError(TradestackError):
    """An order was asked to move to a status its state machine forbids."""


class BusTimeoutError(TradestackError):
    """A request over the event bus got no reply in time."""


class RemoteCallError(TradestackError):
    """The target of a request over the event bus answered with an error."""


class BusUnavailableError(TradestackError):
    """The configured event-bus server cannot be reached (or stayed down too long)."""

    exit_code = 5


class BusMigrationError(TradestackError):
    """Moving events between buses was refused or could not prove that nothing was lost."""

    exit_code = 6
