"""The Venue port shared by the paper venue and exchange adapters."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from tradestack.domain.market import Bar
from tradestack.domain.orders import Fill, Order


@dataclass(frozen=True, slots=True)
class SubmitResult:
    accepted: bool
    venue_order_id: str | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Rejection:
    """A working order the venue refused when it came to fill it (for example, funds)."""

    client_order_id: str
    reason: str


class Venue(Protocol):
    name: str

    def submit(self, order: Order) -> SubmitResult: ...

    def cancel(self, client_order_id: str) -> bool: ...

    def restore(self, order: Order) -> None:
        """Re-attach a working order known from storage after a restart (never re-sent)."""
        ...

    def on_bar(self, bar: Bar) -> tuple[Sequence[Fill], Sequence[Rejection]]:
        """Advance the venue's market by one bar and return what happened to working orders."""
        ...
