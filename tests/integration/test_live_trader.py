"""A ccxt-backed trader run by the TraderManager: reconcile, trade, restart, halt when blind.

ccxt's real binance class talks to a local binance-speaking server; storage is
a migrated SQLite database; the bus is in memory.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest

from tests.unit.execution.ccxt.binance_server import BinanceServer
from tests.unit.factories import bars_from_closes
from tradestack.bus.memory import InMemoryBus
from tradestack.config.loader import load_settings
from tradestack.config.settings import Settings
from tradestack.domain.enums import OrderStatus
from tradestack.domain.events import Event
from tradestack.storage.database import Database
from tradestack.storage.repositories.orders import list_fills, list_orders
from tradestack.storage.repositories.portfolio import list_positions
from tradestack.traders.live_runner import LiveTraderRunner
from tradestack.traders.manager import TraderManager
from tradestack.traders.spec import TraderSpec

CLOSES = [10, 10, 10, 9, 8, 9, 11, 12, 11, 9, 8, 8]  # BUY on bar 6, SELL on bar 9 (fast 2, slow 3)
SCALE = 5_000
SPEC = TraderSpec(
    trader_id="alice",
    strategy="sma_cross",
    params={"fast": 2, "slow": 3},
    symbol="BTC/USDT",
    timeframe="1m",
    starting_cash=Decimal(1_000),
    allocation=Decimal("0.5"),
    lot_size=Decimal("0.001"),
    venue="ccxt",
)


def settings(tmp_path: Path, server: BinanceServer) -> Settings:
    return load_settings(
        home=tmp_path,
        exchange_api_key="test-key",
        exchange_api_secret="test-secret",
        ccxt={
            "exchange": "binance",
            "sandbox": False,
            "api_urls": server.api_urls,
            "options": {
                "fetchMarkets": {"types": ["spot"]},
                "fetchCurrencies": False,
                "fetchMargins": False,
            },
            "timeout_ms": 400,
            "reconcile_retry_s": 0,
            "read_attempts": 4,
            "retry_delay_s": 0.01,
            "retry_max_delay_s": 0.01,
        },
    )


@pytest.fixture
async def server() -> AsyncIterator[BinanceServer]:
    exchange = BinanceServer(hang_s=1.0)
    exchange.balances["USDT"] = [Decimal(1_000), Decimal(0)]
    await exchange.start()
    try:
        yield exchange
    finally:
        await exchange.stop()


@pytest.fixture
async def bus() -> AsyncIterator[tuple[InMemoryBus, list[Event]]]:
    memory = InMemoryBus()
    seen: list[Event] = []

    async def collect(event: Event) -> None:
        seen.append(event)

    memory.subscribe("*", collect, group="test")
    await memory.start()
    try:
        yield memory, seen
    finally:
        await memory.close()


async def start(tmp_path: Path, server: BinanceServer, db: Database, bus: InMemoryBus):  # type: ignore[no-untyped-def]
    manager = TraderManager(db=db, bus=bus, settings=settings(tmp_path, server))
    if "alice" in {s.trader_id for s in await manager.specs()}:
        await manager.start_trader("alice")
    else:
        await manager.add(SPEC)
    runner = manager.runners["alice"]
    assert isinstance(runner, LiveTraderRunner)
    return manager, runner


async def feed(
    runner: LiveTraderRunner, server: BinanceServer, closes: list[int], first: int = 0
) -> None:
    for bar in bars_from_closes(closes)[first:]:
        scaled = type(bar)(
            bar.symbol,
            bar.timeframe,
            bar.ts,
            bar.open * SCALE,
            bar.high * SCALE,
            bar.low * SCALE,
            bar.close * SCALE,
            bar.volume,
        )
        server.price = Decimal(int(scaled.close))
        await runner.on_bar(scaled, "trace")


async def test_live_trader_trades_persists_and_restarts_without_resubmitting(
    tmp_path: Path, server: BinanceServer, database: Database, bus: tuple[InMemoryBus, list[Event]]
) -> None:
    memory, events = bus
    manager, runner = await start(tmp_path, server, database, memory)
    assert runner.reconciled and runner.context.risk.halted is None
    await feed(runner, server, CLOSES[:8])
    assert server.posts() == 1  # the BUY after bar 6
    (buy,) = server.orders.values()
    assert buy["clientOrderId"].startswith("alice-") and buy["status"] == "FILLED"
    held = runner.context.portfolio.quantity("BTC/USDT")
    assert held == Decimal(buy["executedQty"]) > 0
    await manager.stop_trader("alice")

    manager, runner = await start(tmp_path, server, database, memory)  # restart
    assert runner.reconciled, runner.last_reconciliation
    assert runner.context.portfolio.quantity("BTC/USDT") == held
    assert server.posts() == 1  # nothing was sent again
    await feed(runner, server, CLOSES)  # no stored bars: re-warm; SELL after bar 9, filled by 10
    assert server.posts() == 2
    assert runner.context.portfolio.quantity("BTC/USDT") == 0
    await manager.stop_trader("alice")
    await asyncio.sleep(0.05)

    async with database.read() as connection:
        orders = await list_orders(connection, trader_id="alice")
        fills = await list_fills(connection, trader_id="alice")
        positions = await list_positions(connection, trader_id="alice")
    assert [o.status for o in orders] == [OrderStatus.FILLED, OrderStatus.FILLED]
    assert len(fills) == 2 and positions[0].quantity == 0
    kinds = [e.event_type for e in events]
    assert kinds.count("reconciliation.completed") == 2
    assert kinds.count("order.filled") == 2


async def test_trader_stays_halted_while_the_venue_cannot_be_read(
    tmp_path: Path, server: BinanceServer, database: Database, bus: tuple[InMemoryBus, list[Event]]
) -> None:
    memory, events = bus
    server.fail("GET", "openOrders", "429", count=8)  # two reconciliations' worth of retries
    manager, runner = await start(tmp_path, server, database, memory)
    assert not runner.reconciled
    halted = runner.summary()["halted"] or ""
    assert halted.startswith("reconciliation failed") and "not assuming flat" in halted
    await feed(runner, server, CLOSES[:7])  # bar 0 retries and fails; bar 1 reconciles
    assert runner.reconciled and runner.context.risk.halted is None
    assert runner.context.bars_processed == 6  # the strategy never saw the blind bars
    assert [e.event_type for e in events].count("reconciliation.failed") == 2
    await manager.stop_trader("alice")
