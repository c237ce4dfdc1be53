"""The live feed: closed bars from a provider, checked, stored, then published as ``market.bar``.

It starts behind a gate: live bars on top of an unfinished history would give
strategies a series with a hole, so the feed waits until the backfill of every
configured series is complete (``ingest_state.complete``). An operator can
force it open; the feed then logs why, and which series were not ready.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import UTC, datetime

from tradestack.bus.port import EventBus
from tradestack.domain.bar_frame import BarFrame
from tradestack.domain.events import Event, EventType
from tradestack.domain.market import Bar
from tradestack.domain.timeframes import Timeframe
from tradestack.lifecycle import Component
from tradestack.marketdata.providers.port import LiveProvider
from tradestack.marketdata.quality import check_frame
from tradestack.storage.database import Database
from tradestack.storage.repositories.bar_frames import insert_frame
from tradestack.storage.repositories.bars import count_bars, recent_bars
from tradestack.storage.repositories.ingest import ingest_states

log = logging.getLogger(__name__)

Series = tuple[str, str]  # (symbol, timeframe)


def bar_event(bar: Bar, source_service: str = "market-data") -> Event:
    """Wrap a closed bar in a ``market.bar`` event; the in-memory bus passes it by reference."""
    return Event.create(EventType.MARKET_BAR, {"bar": bar}, source_service=source_service)


class BackfillGate:
    """Opens once every series has a complete backfill (from any source)."""

    def __init__(self, db: Database, series: Sequence[Series], *, poll_s: float = 1.0) -> None:
        self.db = db
        self.series = list(series)
        self.poll_s = poll_s

    async def incomplete(self) -> list[Series]:
        """The series whose backfill has not completed yet."""
        async with self.db.read() as connection:
            done = {(s.symbol, s.timeframe) for s in await ingest_states(connection) if s.complete}
        return [s for s in self.series if s not in done]

    async def wait(self, timeout_s: float | None = None) -> None:
        """Return when the gate opens; raise TimeoutError after ``timeout_s`` seconds."""
        async with asyncio.timeout(timeout_s):
            waiting = await self.incomplete()
            if waiting:
                log.info("live feed waits for the backfill of %s", _names(waiting))
            while waiting:
                await asyncio.sleep(self.poll_s)
                waiting = await self.incomplete()
        log.info("backfill complete for %s; live feed starts", _names(self.series))


class LiveFeed(Component):
    """Streams each series from a ``LiveProvider`` into storage and onto the bus."""

    name = "live-feed"

    def __init__(
        self,
        *,
        db: Database,
        bus: EventBus,
        provider: LiveProvider,
        series: Sequence[Series],
        gate: BackfillGate | None = None,
        force_reason: str | None = None,
    ) -> None:
        super().__init__()
        self.db = db
        self.bus = bus
        self.provider = provider
        self.series = list(series)
        self.gate = gate
        self.force_reason = force_reason
        self.bars_published = 0
        """Bars this feed published since it started (this run only)."""
        self.bars_stored = 0
        """Bars stored for every served series, counted from storage (across runs)."""
        self.bars_rejected = 0
        self.opened = asyncio.Event()

    def add_series(self, symbol: str, timeframe: str) -> None:
        """Serve one more series; streamed at once when the feed is already open."""
        key = (symbol, Timeframe.parse(timeframe).label)
        if key in self.series:
            return
        self.series.append(key)
        if self.opened.is_set():
            self.spawn(self._stream(*key), f"{key[0]} {key[1]}")

    async def _on_start(self) -> None:
        self.spawn(self._run(), "gate")

    async def _run(self) -> None:
        if self.gate is not None:
            if self.force_reason is not None:
                waiting = await self.gate.incomplete()
                log.warning(
                    "live feed force-started (%s); backfill incomplete for: %s",
                    self.force_reason,
                    _names(waiting) or "none",
                )
            else:
                await self.gate.wait()
        self.opened.set()
        for symbol, timeframe in self.series:
            self.spawn(self._stream(symbol, timeframe), f"{symbol} {timeframe}")

    async def _stream(self, symbol: str, timeframe: str) -> None:
        frame = Timeframe.parse(timeframe)
        async with self.db.read() as connection:
            last = await recent_bars(connection, symbol, frame.label, limit=1)
            stored = await count_bars(connection, symbol, frame.label)
        self.bars_stored += stored  # added after the await: streams read at the same time
        after = last[0].ts if last else frame.floor(datetime.now(UTC)) - frame.delta
        close = last[0].close if last else None
        async for bar in self.provider.live(symbol, frame.label, after=after, last_close=close):
            await self._publish(bar)

    async def _publish(self, bar: Bar) -> None:
        checked = check_frame(BarFrame.from_bars([bar]))
        if not len(checked.accepted):
            self.bars_rejected += 1
            log.warning(
                "live bar %s %s at %s rejected: %s",
                bar.symbol,
                bar.timeframe,
                bar.ts.isoformat(),
                ", ".join(checked.rejected),
            )
            return
        async with self.db.transaction() as connection:
            stored = await insert_frame(connection, checked.accepted, source=self.provider.source)
        if stored:  # a bar already stored was already published
            self.bars_stored += 1
            await self.bus.publish(bar_event(bar))
            self.bars_published += 1


def _names(series: Sequence[Series]) -> str:
    return ", ".join(f"{symbol} {timeframe}" for symbol, timeframe in series)
