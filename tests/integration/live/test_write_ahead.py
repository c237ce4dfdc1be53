"""An order for a live venue is written before it is sent; a crash in between loses nothing.

A child process runs a ccxt trader against the local Binance server and is
killed (``os._exit``) right after the order reached the database and before
it reached the exchange. The restarted trader finds the IN_FLIGHT order,
asks the exchange for it, and sends it once: one order on the exchange.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from tests.integration.live.common import CLOSES, SPEC, live_settings, scaled_bars
from tests.integration.live.crash_before_send import KILLED
from tests.unit.execution.ccxt.binance_server import BinanceServer
from tradestack.bus.memory import InMemoryBus
from tradestack.domain.enums import OrderStatus
from tradestack.storage.database import Database
from tradestack.storage.repositories.orders import list_orders
from tradestack.traders.live_runner import LiveTraderRunner
from tradestack.traders.manager import TraderManager

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
async def server() -> AsyncIterator[BinanceServer]:
    exchange = BinanceServer(hang_s=1.0)
    exchange.balances["USDT"] = [Decimal(1_000), Decimal(0)]
    await exchange.start()
    try:
        yield exchange
    finally:
        await exchange.stop()


async def test_killed_between_write_and_send_sends_exactly_once(
    tmp_path: Path, server: BinanceServer, database: Database
) -> None:
    server.price = Decimal(11 * 5_000)
    start = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=8)
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.integration.live.crash_before_send",
        database.url,
        str(tmp_path),
        json.dumps(server.api_urls),
        start.isoformat(),
        cwd=ROOT,
    )
    assert await asyncio.wait_for(child.wait(), 60) == KILLED
    assert server.posts() == 0  # it died before sending
    async with database.read() as connection:
        (written,) = await list_orders(connection, trader_id=SPEC.trader_id)
    assert written.status is OrderStatus.IN_FLIGHT  # but after writing it down

    bus = InMemoryBus()
    await bus.start()
    manager = TraderManager(db=database, bus=bus, settings=live_settings(tmp_path, server.api_urls))
    await manager.start_trader(SPEC.trader_id)  # the restart
    runner = manager.runners[SPEC.trader_id]
    assert isinstance(runner, LiveTraderRunner)
    for bar in scaled_bars(CLOSES, start)[8:10]:
        server.price = Decimal(int(bar.close))
        await runner.on_bar(bar, "trace")
    await manager.stop()
    await bus.close()

    assert server.posts() == 1
    assert server.by_client_id(written.client_order_id) is not None  # the same order, once
    async with database.read() as connection:
        orders = await list_orders(connection, trader_id=SPEC.trader_id)
    assert [o.client_order_id for o in orders if o.side.value == "BUY"] == [written.client_order_id]
    assert all(o.status is not OrderStatus.IN_FLIGHT for o in orders)
