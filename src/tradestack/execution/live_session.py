"""LiveSession: drives a LiveExecutor around each bar of a trader that trades a live venue.

Before the bar it polls the venue (fills, endings) into the QueuedVenue; after
the bar it carries out what the strategy queued: cancels first, then new
orders. Bracket legs wait here until their entry has filled, and a filled leg
cancels the rest of its one-cancels-other group, as the paper venue does.
"""

from __future__ import annotations

import logging
from datetime import datetime

from tradestack.domain.enums import OrderStatus
from tradestack.domain.orders import Fill, Order
from tradestack.execution.live_executor import LiveExecutor
from tradestack.execution.venues.queued import QueuedVenue

log = logging.getLogger(__name__)


class LiveSession:
    def __init__(self, executor: LiveExecutor, queue: QueuedVenue) -> None:
        self.executor = executor
        self.queue = queue
        self.orders = executor.orders
        queue.bind(executor.orders)
        self._entries: dict[str, Order] = {}
        self._held: list[Order] = []
        self._legs: dict[str, Order] = {}

    async def before_bar(self, symbol: str, ts: datetime) -> None:
        """Fetch what the venue did; raises VenueError when it cannot be read."""
        self.queue.pending_update = await self.executor.poll(symbol, ts)

    async def after_bar(self, ts: datetime) -> list[Fill]:
        """Send queued cancels and orders; return fills of orders already closed here."""
        submits, cancels = self.queue.take()
        for order in cancels:
            await self.executor.cancel_at_venue(order)
        for order in submits:
            if order.parent_order_id is not None:
                self._held.append(order)
                continue
            self._entries[order.client_order_id] = order
            await self.executor.submit(order, ts)
        await self._release_legs(ts)
        await self._cancel_other_legs(ts)
        late, self.executor.late_fills = self.executor.late_fills, []
        return late

    async def _release_legs(self, ts: datetime) -> None:
        waiting = []
        for leg in self._held:
            entry = self._entries.get(leg.parent_order_id or "")
            if leg.status is not OrderStatus.NEW:
                continue  # canceled here while waiting
            if entry is None or entry.status is OrderStatus.FILLED:
                self._legs[leg.client_order_id] = leg
                await self.executor.submit(leg, ts)
            elif entry.status.is_open:
                waiting.append(leg)
            else:
                self.orders.transition(leg, OrderStatus.CANCELED, ts, "its entry did not fill")
        self._held = waiting

    async def _cancel_other_legs(self, ts: datetime) -> None:
        filled_groups = {
            leg.oco_group
            for leg in self._legs.values()
            if leg.status is OrderStatus.FILLED and leg.oco_group
        }
        for leg in list(self._legs.values()):
            if leg.oco_group in filled_groups and leg.status.is_open:
                await self.executor.cancel(leg, ts, "the other leg filled")
            if not leg.status.is_open:
                self._legs.pop(leg.client_order_id, None)
