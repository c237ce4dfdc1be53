"""The audit sink: copies events from the bus into the ``events`` table in batches."""

from __future__ import annotations

import asyncio
import fnmatch
import logging

from tradestack.bus.port import EventBus
from tradestack.domain.events import Event, EventType
from tradestack.lifecycle import Component
from tradestack.storage.database import Database
from tradestack.storage.repositories.journal import insert_events

log = logging.getLogger(__name__)


class AuditSink(Component):
    """Buffers events and writes them every ``flush_interval_s`` or ``batch_size`` events.

    ``market.bar`` is left out by default: bars have their own table.
    """

    name = "audit-sink"

    def __init__(
        self,
        *,
        db: Database,
        bus: EventBus,
        exclude: tuple[str, ...] = (EventType.MARKET_BAR,),
        batch_size: int = 500,
        flush_interval_s: float = 0.5,
    ) -> None:
        super().__init__()
        self.db = db
        self.bus = bus
        self.exclude = exclude
        self.batch_size = batch_size
        self.flush_interval_s = flush_interval_s
        self.written = 0
        self._buffer: list[Event] = []
        self._lock = asyncio.Lock()

    async def _on_start(self) -> None:
        self.bus.subscribe("*", self._on_event, group=self.name)
        self.spawn(self._flush_periodically(), "flush")

    async def _on_stop(self) -> None:
        await self.flush()

    async def _on_event(self, event: Event) -> None:
        if any(fnmatch.fnmatchcase(event.event_type, pattern) for pattern in self.exclude):
            return
        self._buffer.append(event)
        # Written before the handler returns: the bus acknowledges a handled event, and a
        # buffered one would be lost with the process (SIGKILL, OOM) although acknowledged.
        await self.flush()

    async def _flush_periodically(self) -> None:
        while True:
            await asyncio.sleep(self.flush_interval_s)
            await self.flush()

    async def flush(self) -> None:
        async with self._lock:
            if not self._buffer:
                return
            batch, self._buffer = self._buffer, []
            async with self.db.transaction() as connection:
                await insert_events(connection, batch)
            self.written += len(batch)
