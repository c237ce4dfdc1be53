"""The LiveVenue port: an exchange reached over the network, asynchronous and fallible.

The paper venue answers at once and cannot fail, so its port (``port.Venue``)
is synchronous. A real exchange can time out, refuse, or answer late, so live
venues get this async companion port, and ``execution.live_executor`` applies
the rules (no blind resend, retries on reads, fills deduplicated) on top of it.

Adapters translate their vendor's errors into ours:

- ``OrderRejectedError``: the venue refused for good (never retried);
- ``VenueUnavailableError`` / ``VenueRateLimitedError``: could not tell, try again
  (after a submit the outcome is unknown);
- ``VenueAuthenticationError``: the keys are wrong; nothing will help.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from tradestack.domain.enums import OrderSide
from tradestack.domain.orders import Order


class VenueOrderState(StrEnum):
    """An order's state as the venue reports it (ccxt's unified statuses)."""

    OPEN = "open"
    CLOSED = "closed"
    """Fully filled."""
    CANCELED = "canceled"
    EXPIRED = "expired"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class VenueOrder:
    """A snapshot of one order at the venue.

    ``client_order_id`` is ours when the adapter recognises the order, otherwise
    the venue's own client id (an orphan or another system's order).
    """

    venue_order_id: str
    client_order_id: str | None
    symbol: str
    side: OrderSide
    order_type: str
    quantity: Decimal
    filled_quantity: Decimal
    price: Decimal | None
    state: VenueOrderState
    ts: datetime | None
    ours: bool
    """Whether the client id shows the order was placed by this trader."""


@dataclass(frozen=True, slots=True)
class VenueFill:
    """One trade of ours as the venue reports it; ``trade_id`` is unique at the venue."""

    trade_id: str
    venue_order_id: str
    client_order_id: str | None
    symbol: str
    side: OrderSide
    quantity: Decimal
    price: Decimal
    fee: Decimal
    fee_asset: str
    ts: datetime
    liquidity: str


@dataclass(frozen=True, slots=True)
class VenueBalance:
    asset: str
    free: Decimal
    locked: Decimal

    @property
    def total(self) -> Decimal:
        return self.free + self.locked


class LiveVenue(Protocol):
    name: str

    async def connect(self) -> None:
        """Load markets (and check the keys); raise VenueError when it cannot."""
        ...

    async def close(self) -> None: ...

    def track(self, order: Order) -> None:
        """Remember an order of ours (loaded from storage) so the venue's reports map to it."""
        ...

    async def submit(self, order: Order) -> VenueOrder:
        """Send ``order`` with its client_order_id; raise OrderRejectedError or VenueError."""
        ...

    async def cancel(self, order: Order) -> VenueOrder | None:
        """Cancel by client id; return None when the venue has no such open order."""
        ...

    async def fetch_order_by_client_id(self, order: Order) -> VenueOrder | None:
        """Ask the venue for ``order``; None only when the venue confirms it does not have it.

        Raises VenueUnavailableError when the venue cannot be asked: never read
        that as "not there".
        """
        ...

    async def fetch_open_orders(self, symbol: str | None = None) -> list[VenueOrder]: ...

    async def fetch_fills(self, symbol: str, since: datetime | None = None) -> list[VenueFill]: ...

    async def fetch_balance(self) -> dict[str, VenueBalance]: ...
