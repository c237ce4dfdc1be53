"""QueuedVenue: the synchronous Venue port in front of a live venue.

The trader's core (``TraderContext``) is synchronous and shared with paper and
backtests. With a live venue it talks to this queue instead: submits and
cancels are recorded during the bar (the order stays NEW), and ``on_bar``
hands back what the venue did since the last bar, fetched beforehand by
``LiveSession``. The async work happens around the bar, never inside it.
"""

from __future__ import annotations

from tradestack.domain.market import Bar
from tradestack.domain.orders import Order
from tradestack.execution.order_manager import OrderManager
from tradestack.execution.venues.port import SubmitResult, VenueUpdate


class QueuedVenue:
    def __init__(self, name: str) -> None:
        self.name = name
        self.orders: OrderManager | None = None
        self.submits: list[Order] = []
        self.cancels: list[Order] = []
        self.pending_update: VenueUpdate | None = None

    def bind(self, orders: OrderManager) -> None:
        """Know the trader's orders, so a cancel by id can name the order."""
        self.orders = orders

    def submit(self, order: Order) -> SubmitResult:
        self.submits.append(order)
        return SubmitResult(accepted=True, pending=True)

    def cancel(self, client_order_id: str) -> bool:
        queued = next((o for o in self.submits if o.client_order_id == client_order_id), None)
        if queued is not None:
            self.submits.remove(queued)  # never sent: nothing to cancel at the venue
            return True
        order = self.orders.orders.get(client_order_id) if self.orders is not None else None
        if order is None:
            return False
        self.cancels.append(order)
        return True

    def restore(self, order: Order) -> None:
        """Stored orders are tracked by the live session and reconciled; nothing to do here."""

    def on_bar(self, bar: Bar) -> VenueUpdate:
        update, self.pending_update = self.pending_update or VenueUpdate(), None
        return update

    def take(self) -> tuple[list[Order], list[Order]]:
        """Return and clear the queued (submits, cancels)."""
        submits, cancels = self.submits, self.cancels
        self.submits, self.cancels = [], []
        return submits, cancels
