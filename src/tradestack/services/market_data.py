"""market-data service: keeps every traded series backfilled and replays it live on the bus."""

from __future__ import annotations

import asyncio
from typing import Any

from tradestack.marketdata.replay import LiveReplayFeed, backfill_for_replay
from tradestack.services.host import ServiceHost
from tradestack.traders import admin
from tradestack.traders.spec import ACTIVE, HALTED


class MarketDataService(ServiceHost):
    service = "market-data"

    async def _start_role(self) -> None:
        run = self.settings.run
        self.feed = LiveReplayFeed.from_settings(db=self.db, bus=self.bus, run=run)
        await self.sync_series()
        await self.feed.start()
        self.spawn(self._follow_traders(), "series")

    async def sync_series(self) -> None:
        """Serve the default series and every series an active or halted trader needs."""
        run = self.settings.run
        wanted = {(run.symbol, run.timeframe)}
        for spec in await admin.stored_traders(self.db):
            if spec.status in (ACTIVE, HALTED):
                wanted.add((spec.symbol, spec.timeframe))
        for symbol, timeframe in sorted(wanted - set(self.feed.series)):
            await backfill_for_replay(self.db, run, symbol=symbol, timeframe=timeframe)
            self.feed.add_series(symbol, timeframe)

    async def _follow_traders(self) -> None:
        while not self.draining:
            await asyncio.sleep(2.0)
            await self.sync_series()

    async def _drain_role(self) -> None:
        await self.feed.stop()

    async def _checks(self) -> dict[str, Any]:
        state = self.feed.state.value
        return {
            "feed": "ok" if state == "RUNNING" or self.draining else state,
            "series": len(self.feed.series),
            "bars_published": self.feed.bars_published,
            "bars_stored": self.feed.bars_stored,
        }
