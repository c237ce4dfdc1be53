"""A live trader that dies (``os._exit``) right after writing an order down, before sending it.

Run as ``python -m tests.integration.live.crash_before_send DB_URL HOME API_URLS START``
by ``test_write_ahead``; the exchange is the test's local Binance server.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from datetime import datetime
from pathlib import Path

from tests.integration.live.common import CLOSES, SPEC, live_settings, scaled_bars
from tradestack.bus.memory import InMemoryBus
from tradestack.domain.orders import Order
from tradestack.storage.database import Database
from tradestack.traders.live_runner import LiveTraderRunner
from tradestack.traders.manager import TraderManager

KILLED = 9


async def main(url: str, home: Path, api_urls: dict[str, str], start: datetime) -> None:
    db = Database(url)
    bus = InMemoryBus()
    await bus.start()
    manager = TraderManager(db=db, bus=bus, settings=live_settings(home, api_urls))
    await manager.add(SPEC)
    runner = manager.runners[SPEC.trader_id]
    assert isinstance(runner, LiveTraderRunner)
    write_ahead = runner.executor.on_in_flight
    assert write_ahead is not None

    async def die_after_write(order: Order) -> None:
        await write_ahead(order)
        os._exit(KILLED)  # the process is gone: written down, never sent

    runner.executor.on_in_flight = die_after_write
    for bar in scaled_bars(CLOSES[:8], start):
        await runner.on_bar(bar, "trace")
    raise SystemExit("the strategy never sent an order")


if __name__ == "__main__":
    asyncio.run(
        main(
            sys.argv[1],
            Path(sys.argv[2]),
            json.loads(sys.argv[3]),
            datetime.fromisoformat(sys.argv[4]),
        )
    )
