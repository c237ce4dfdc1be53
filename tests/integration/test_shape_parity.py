"""One trader, four ways: a backtest, ``tradestack run``'s paper replay, services on Redis and NATS.

Every side is built by the production builder (``system.builder``) from the
same spec. The same synthetic bars go through the backtest engine's trader,
through the all-in-one Kernel (memory bus, SQLite, group commit) as the
replay feed publishes them, and through the exec-risk and strategy services
talking over a real broker with PostgreSQL. The strategy sends brackets
(stop-loss and take-profit legs) and the paper venue caps each fill at a
share of the bar's volume, so entries and exits fill in parts. All four
give the same orders and the same fills.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from copy import copy
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import _create_postgres_database, _drop_postgres_database, require_service
from tradestack.backtest.config import BacktestConfig
from tradestack.backtest.engine import build_backtest_trader, run_event
from tradestack.backtest.series import BarSeries
from tradestack.bus.factory import build_bus
from tradestack.config.loader import load_settings
from tradestack.config.settings import Settings
from tradestack.domain.enums import OrderStatus
from tradestack.domain.market import Bar
from tradestack.domain.orders import Fill, Order
from tradestack.domain.signals import Signal
from tradestack.kernel import Kernel, prepare_database
from tradestack.marketdata.replay import bar_event
from tradestack.marketdata.synthetic import SyntheticMarket
from tradestack.services.exec_risk import ExecRiskService
from tradestack.services.strategy import StrategyService
from tradestack.storage.database import Database
from tradestack.storage.repositories.orders import list_fills, list_orders
from tradestack.storage.repositories.progress import load_progress
from tradestack.strategy import registry
from tradestack.strategy.base import StrategyContext
from tradestack.strategy.sma_cross import SmaCross

pytestmark = pytest.mark.slow
START = datetime(2027, 3, 1, tzinfo=UTC)
BARS = 900
PARAMS = {"fast": 5, "slow": 20}
CASH = Decimal(10_000)
FEE = Decimal("0.001")
LOT = Decimal("0.0001")
ALLOCATION = Decimal("0.9")  # room for the rest of an entry filled in parts at a higher price
VOLUME_CAP = Decimal(
    "0.004"
)  # a fill takes at most 0.4% of the bar's volume: entries fill in parts


class BracketSmaCross(SmaCross):
    """sma_cross whose entries carry a stop-loss 0.15% below and a take-profit 0.4% above."""

    name = "sma_bracket"

    def on_bar(self, bar: Bar, context: StrategyContext) -> Sequence[Signal]:
        signals = super().on_bar(bar, context)
        return [
            Signal(
                s.symbol,
                s.side,
                s.confidence,
                s.strategy,
                s.trader_id,
                s.ts,
                s.price,
                stop_loss=round(s.price * 0.9985, 2),  # on the 0.01 tick, as an exchange wants
                take_profit=round(s.price * 1.004, 2),
            )
            if s.side.value == "BUY"
            else s
            for s in signals
        ]


@pytest.fixture(autouse=True)
def bracket_strategy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(registry._BUILT_IN, BracketSmaCross.name, BracketSmaCross)


def bars() -> list[Bar]:
    return SyntheticMarket(seed=7).bars("BTC/USDT", "1m", START, BARS)


CONFIG = BacktestConfig(
    BracketSmaCross.name,
    PARAMS,
    cash=CASH,
    fee_rate=FEE,
    lot_size=LOT,
    allocation=ALLOCATION,
    paper={"max_volume_fraction": VOLUME_CAP},
)


def settings_for(home: Path, **extra: object) -> Settings:
    """The settings whose default trader is the backtest's spec (all-in, same venue)."""
    return load_settings(
        home=home,
        run={
            "strategy": BracketSmaCross.name,
            "strategy_params": PARAMS,
            "symbol": "BTC/USDT",
            "timeframe": "1m",
            "starting_cash": str(CASH),
            "allocation": str(ALLOCATION),
            "lot_size": str(LOT),
            "history_bars": 0,
        },
        paper={"fee_rate": str(FEE), "max_volume_fraction": str(VOLUME_CAP)},
        **extra,
    )


@dataclass(frozen=True)
class Trading:
    orders: list[tuple[object, ...]]
    fills: list[tuple[object, ...]]


def order_key(o: Order) -> tuple[object, ...]:
    return (
        o.created_at,
        o.side.value,
        o.type.value,
        o.quantity,
        o.price,
        o.stop_price,
        o.status.value,
        o.filled_quantity,
        o.parent_order_id is not None,
    )


def fill_key(f: Fill) -> tuple[object, ...]:
    return (f.ts, f.side.value, f.quantity, f.price, f.fee)


def trading(orders: Sequence[Order], fills: Sequence[Fill]) -> Trading:
    return Trading(
        orders=sorted(order_key(o) for o in orders),
        fills=sorted(fill_key(f) for f in fills),
    )


def backtest(series: list[Bar]) -> Trading:
    """The backtest engine's own trader, fed as ``run_event`` feeds it (without the final close)."""
    trader = build_backtest_trader(CONFIG, "BTC/USDT", "1m")
    fills: list[Fill] = []
    orders: dict[str, Order] = {}
    for bar in series:
        step = trader.on_bar(bar)
        fills.extend(step.fills)
        orders.update((c.order.client_order_id, copy(c.order)) for c in step.order_changes)
    result = run_event(BarSeries.from_bars(series), CONFIG)
    closing = trader.execution.close_positions(series[-1])
    paid = sum((f.fee for f in fills + closing.fills), Decimal(0))
    assert result.fees == paid and result.final_equity == trader.execution.portfolio.equity
    return trading(list(orders.values()), fills)


async def paper_replay(series: list[Bar], home: Path) -> Trading:
    """``tradestack run``: the Kernel on the memory bus and SQLite, fed as the replay feed does."""
    kernel = Kernel.build(settings_for(home))
    await kernel.prepare()
    await kernel.audit_start()
    await kernel.traders.start()
    await kernel.bus.start()
    for bar in series:
        await kernel.bus.publish(bar_event(bar))
    await kernel.stop()  # settles up: every bar handled, written and published
    db = Database(kernel.settings.database_url)
    try:
        return await stored(db, "default")
    finally:
        await db.dispose()


async def stored(db: Database, trader_id: str) -> Trading:
    async with db.read() as connection:
        orders = await list_orders(connection, trader_id=trader_id, limit=100_000)
        fills = await list_fills(connection, trader_id=trader_id, limit=100_000)
    return trading(orders, fills)


async def services(series: list[Bar], home: Path, bus: str, url: str) -> Trading:
    """exec-risk and strategy services over a real broker and PostgreSQL."""
    database = await _create_postgres_database()
    settings = settings_for(
        home,
        database_url=database,
        event_bus=bus,
        bus_url=url,
        bus={"namespace": f"parity{uuid.uuid4().hex[:8]}"},
    )
    db = Database(database)
    try:
        await prepare_database(settings, db)
        exec_risk, strategy = ExecRiskService(settings), StrategyService(settings)
        await strategy.start()
        await exec_risk.start()
        feed = build_bus(settings)
        await feed.start()
        try:
            for bar in series:
                await feed.publish(bar_event(bar))
            deadline = asyncio.get_running_loop().time() + 120
            while asyncio.get_running_loop().time() < deadline:
                async with db.read() as connection:
                    done = await load_progress(connection, "default", "execution")
                if done == series[-1].ts:
                    break
                await asyncio.sleep(0.2)
            else:
                raise AssertionError(f"exec-risk stopped at {done}")
        finally:
            await feed.close()
            for host in (strategy, exec_risk):
                await host.drain()
                await host.stop()
        return await stored(db, "default")
    finally:
        await db.dispose()
        await _drop_postgres_database(database)


def check_exercised(expected: Trading) -> None:
    """The bars exercise what the test is about: both bracket legs fill, and fills come in parts."""
    filled = [o for o in expected.orders if o[6] == OrderStatus.FILLED.value]
    legs = {o[2] for o in filled if o[-1]}
    assert legs == {"STOP", "LIMIT"}, "a stop-loss and a take-profit leg each filled"
    assert len(expected.fills) > len(filled), "some orders filled in parts"
    assert len(filled) >= 10


async def test_backtest_and_paper_replay_trade_alike(tmp_path: Path) -> None:
    series = bars()
    expected = backtest(series)
    check_exercised(expected)
    assert await paper_replay(series, tmp_path) == expected


@pytest.mark.services
@pytest.mark.parametrize(
    ("bus", "port", "url"),
    [("redis", 6379, "redis://127.0.0.1:6379/0"), ("nats", 4222, "nats://127.0.0.1:4222")],
)
async def test_services_trade_like_a_backtest(
    tmp_path: Path, bus: str, port: int, url: str
) -> None:
    require_service("PostgreSQL", "127.0.0.1", 5432)
    require_service(bus, "127.0.0.1", port)
    series = bars()
    assert await services(series, tmp_path, bus, url) == backtest(series)
