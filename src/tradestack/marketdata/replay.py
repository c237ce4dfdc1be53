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
    """Continues a stored synthetic series bar by bar, faster than real time.

    Each bar is stored before it is published, so a consumer that sees it can
    always read it back, and a restart continues from the last stored bar.
    """

    name = "replay-feed"

    def __init__(
        self,
        *,
        db: Database,
        bus: EventBus,
        market: SyntheticMarket,
        symbol: str,
        timeframe: str,
        interval_s: float,
    ) -> None:
        super().__init__()
        self.db = db
        self.bus = bus
        self.market = market
        self.symbol = symbol
        self.timeframe = Timeframe.parse(timeframe)
        self.interval_s = interval_s
        self.bars_published = 0
        self._pending: list[Bar] = []

    async def _on_start(self) -> None:
        self.spawn(self._run(), "replay")

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval_s)  # a bar closes one interval after the last
            bar = await self._next_bar()
            async with self.db.transaction() as connection:
                await insert_bars(connection, [bar], source="synthetic")
            await self.bus.publish(bar_event(bar))
            self.bars_published += 1

    async def _next_bar(self) -> Bar:
        if not self._pending:
            async with self.db.read() as connection:
                last = await recent_bars(connection, self.symbol, self.timeframe.label, limit=1)
            if not last:
                raise RuntimeError(
                    f"no stored bars for {self.symbol} {self.timeframe}; backfill first"
                )
            start: datetime = last[0].ts + self.timeframe.delta
            self._pending = self.market.bars(
                self.symbol, self.timeframe.label, start, _BATCH, previous_close=last[0].close
            )
        return self._pending.pop(0)
