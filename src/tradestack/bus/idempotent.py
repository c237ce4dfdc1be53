"""Exactly-once handling on an at-least-once bus: skip events whose ``event_id`` was handled.

Brokers redeliver after a crash, a reclaim or a publisher's retry; wrapping a
handler with ``idempotent`` makes those duplicates harmless. Memory is bounded:
the oldest ids are forgotten first, so the window must cover how far back a
duplicate can arrive (a redelivery comes within ``claim_idle_s`` or so).
"""

from __future__ import annotations

from collections import OrderedDict

from tradestack.bus.port import EventHandler
from tradestack.domain.events import Event


class SeenIds:
    """A bounded set of event ids, forgetting the oldest first."""

    def __init__(self, capacity: int = 100_000) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self._ids: OrderedDict[str, None] = OrderedDict()

    def __contains__(self, event_id: object) -> bool:
        return event_id in self._ids

    def __len__(self) -> int:
        return len(self._ids)

    def add(self, event_id: str) -> None:
        self._ids[event_id] = None
        if len(self._ids) > self.capacity:
            self._ids.popitem(last=False)


class IdempotentHandler:
    """Call ``handler`` once per ``event_id``; duplicates are acknowledged and skipped.

    An id counts as handled only when the handler returns, so a failed attempt
    is retried normally. A duplicate arriving while the first copy is still
    being handled is skipped too: the first copy's outcome decides.
    """

    def __init__(self, handler: EventHandler, *, capacity: int = 100_000) -> None:
        self.handler = handler
        self.seen = SeenIds(capacity)
        self.duplicates = 0
        self._in_flight: set[str] = set()

    async def __call__(self, event: Event) -> None:
        event_id = event.event_id
        if event_id in self.seen or event_id in self._in_flight:
            self.duplicates += 1
            return
        self._in_flight.add(event_id)
        try:
            await self.handler(event)
            self.seen.add(event_id)
        finally:
            self._in_flight.discard(event_id)


def idempotent(handler: EventHandler, *, capacity: int = 100_000) -> IdempotentHandler:
    """Wrap ``handler`` so each ``event_id`` is handled at most once (within ``capacity``)."""
    return IdempotentHandler(handler, capacity=capacity)
