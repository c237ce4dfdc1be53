"""The live replay feed: emits the next synthetic bar every interval, stored then published."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from tradestack.bus.port import EventBus
from tradestack.domain.events import Event, EventType
from tradestack.domain.market import Bar
from tradestack.domain.timeframes import Timeframe
from tradestack.lifecycle import Component
from tradestack.marketdata.synthetic import SyntheticMarket
from tradestack.storage.database import Database
from tradestack.storage.repositories.bars import insert_bars, recent_bars

log = logging.getLogger(__name__)
_BATCH = 256


def bar_event(bar: Bar, source_service: str = "market-data") -> Event:
    """Wrap a closed bar in a ``market.bar`` event; the in-memory bus passes it by reference."""
    return Event.create(EventType.MARKET_BAR, {"bar": bar}, source_service=source_service)


class LiveReplayFeed(Component):
    """Continues stored synthetic series bar by bar, faster than real time.

    Each tick emits the next bar of every series it serves. A bar is stored
    before it is published, so a consumer that sees it can always read it back,
    and a restart continues from the last stored bar.
    """

    name = "replay-feed"

    def __init__(
        self,
        *,
        db: Database,
        bus: EventBus,
        market: SyntheticMarket,
        interval_s: float,
        symbol: str | None = None,
        timeframe: str | None = None,
    ) -> None:
        super().__init__()
        self.db = db
        self.bus = bus
        self.market = market
        self.interval_s = interval_s
        self.bars_published = 0
        self._pending: dict[tuple[str, str], list[Bar]] = {}
        if symbol is not None and timeframe is not None:
            self.add_series(symbol, timeframe)

    @property
    def series(self) -> list[tuple[str, str]]:
        return list(self._pending)

    def add_series(self, symbol: str, timeframe: str) -> None:
        """Serve one more (symbol, timeframe); history must already be stored."""
        self._pending.setdefault((symbol, Timeframe.parse(timeframe).label), [])

    async def _on_start(self) -> None:
        self.spawn(self._run(), "replay")

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval_s)  # a bar closes one interval after the last
            bars = [await self._next_bar(key) for key in list(self._pending)]
            if not bars:
                continue
            async with self.db.transaction() as connection:
                for bar in bars:
                    await insert_bars(connection, [bar], source="synthetic")
            for bar in bars:
                await self.bus.publish(bar_event(bar))
            self.bars_published += len(bars)

    async def _next_bar(self, key: tuple[str, str]) -> Bar:
        pending = self._pending[key]
        if not pending:
            symbol, timeframe = key
            async with self.db.read() as connection:
                last = await recent_bars(connection, symbol, timeframe, limit=1)
            if not last:
                raise RuntimeError(f"no stored bars for {symbol} {timeframe}; backfill first")
            start: datetime = last[0].ts + Timeframe.parse(timeframe).delta
            pending.extend(
                self.market.bars(symbol, timeframe, start, _BATCH, previous_close=last[0].close)
            )
        return pending.pop(0)
