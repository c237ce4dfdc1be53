"""The Venue port shared by the paper venue and exchange adapters."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import msgspec

from tradestack.domain.market import Bar
from tradestack.domain.orders import Fill, Order


class SubmitResult(msgspec.Struct, frozen=True, gc=False):
    """What the venue said to a submit (a msgspec Struct: one is made per order, cheaply)."""

    accepted: bool
    venue_order_id: str | None = None
    reason: str | None = None
    pending: bool = False
    """Queued for a live venue: the order stays NEW and its executor records the outcome."""


class OrderNotice(msgspec.Struct, frozen=True, gc=False):
    """Something the venue did to a working order, with the reason people will read."""

    client_order_id: str
    reason: str


Rejection = OrderNotice


@dataclass(slots=True)
class VenueUpdate:
    """What one bar did to the working orders of an account."""

    fills: list[Fill] = field(default_factory=list)
    rejections: list[OrderNotice] = field(default_factory=list)
    """Refused when it came to trade (for example, funds): the order is REJECTED."""
    expirations: list[OrderNotice] = field(default_factory=list)
    """Time in force ran out (IOC, FOK): the order is EXPIRED."""
    cancellations: list[OrderNotice] = field(default_factory=list)
    """Canceled by the venue (the other leg of a one-cancels-other pair filled, ...)."""
    activations: list[str] = field(default_factory=list)
    """Bracket legs whose entry filled: they now work at the venue."""
    amended: list[Order] = field(default_factory=list)
    """Orders whose working price moved (a trailing stop), to persist."""

    def __bool__(self) -> bool:
        return bool(
            self.fills
            or self.rejections
            or self.expirations
            or self.cancellations
            or self.activations
            or self.amended
        )


class Venue(Protocol):
    name: str

    def submit(self, order: Order) -> SubmitResult: ...

    def cancel(self, client_order_id: str) -> bool: ...

    def restore(self, order: Order) -> None:
        """Re-attach a working order known from storage after a restart (never re-sent)."""
        ...

    def on_bar(self, bar: Bar) -> VenueUpdate:
        """Advance the venue's market by one bar and return what happened to working orders."""
        ...


NO_UPDATE = VenueUpdate()
"""Shared empty update for bars that touched no order; callers must not mutate it."""
