"""Many traders in one platform: isolation, kill switch, account limits, restart."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from tradestack.config.loader import load_settings
from tradestack.domain.enums import OrderStatus
from tradestack.domain.market import Bar
from tradestack.domain.signals import Signal
from tradestack.kernel import Kernel
from tradestack.marketdata.replay import bar_event
from tradestack.marketdata.synthetic import SyntheticMarket
from tradestack.portfolio.queries import equity_curve
from tradestack.storage.repositories.orders import list_fills, list_orders
from tradestack.storage.repositories.portfolio import list_balances
from tradestack.strategy import registry
from tradestack.strategy.base import Strategy, StrategyContext
from tradestack.traders.spec import TraderSpec

pytestmark = pytest.mark.slow
FUTURE = datetime(2027, 1, 1, tzinfo=UTC)


class Explodes(Strategy):
    name = "explodes"

    def on_bar(self, bar: Bar, context: StrategyContext) -> Sequence[Signal]:
        raise RuntimeError("strategy bug")


class Quiet(Strategy):
    name = "explodes"

    def on_bar(self, bar: Bar, context: StrategyContext) -> Sequence[Signal]:
        return []


async def make_kernel(tmp_path: Path, **risk: object) -> Kernel:
    settings = load_settings(
        home=tmp_path,
        run={
            "history_bars": 60,
            "timeframe": "1m",  # the bars these tests drive by hand
            "strategy_params": {"fast": 3, "slow": 8},
            "replay": "fast",
            "replay_interval_s": 60,
        },
        risk=risk,
    )
    kernel = Kernel.build(settings)
    await kernel.prepare()
    await kernel.start()
    await kernel.feed.stop()  # bars are driven by the test
    return kernel


async def drive(kernel: Kernel, count: int, start: datetime = FUTURE) -> None:
    for bar in SyntheticMarket(seed=3).bars("BTC/USDT", "1m", start, count):
        await kernel.bus.publish(bar_event(bar))
    await kernel.traders.settle_up()  # every bar handled, written (group commit) and published
    await kernel.bus.close()  # drain
    await kernel.bus.start()


def spec(name: str, strategy: str, params: dict[str, object], **kw: object) -> TraderSpec:
    return TraderSpec(
        trader_id=name, strategy=strategy, params=params, symbol="BTC/USDT", timeframe="1m", **kw
    )  # type: ignore[arg-type]


@pytest.fixture
async def kernel(tmp_path: Path) -> AsyncIterator[Kernel]:
    k = await make_kernel(tmp_path)
    yield k
    if not k.stopped:
        await k.stop()


async def test_two_strategies_on_one_symbol_trade_side_by_side(kernel: Kernel) -> None:
    await kernel.traders.add(spec("breakout", "channel_breakout", {"entry": 10, "exit": 5}))
    await drive(kernel, 300)
    async with kernel.db.read() as connection:
        orders = await list_orders(connection, limit=10_000)
        fills = await list_fills(connection, limit=10_000)
        balances = await list_balances(connection)
    curve = await equity_curve(kernel.db, "default")
    assert len(curve) >= 300 // 5 - 1  # one snapshot per 5 minutes of bar time
    assert set(balances["default"]) == {"USDT", "BTC"}
    by_trader = {o.trader_id for o in orders if o.status is OrderStatus.FILLED}
    assert by_trader == {"default", "breakout"}
    assert {f.trader_id for f in fills} == {"default", "breakout"}
    for runner in kernel.traders.runners.values():
        portfolio = runner.context.portfolio
        assert portfolio.equity == Decimal(10_000) + portfolio.realized_pnl + (
            portfolio.unrealized_pnl - portfolio.fees_paid
        ) or abs(
            portfolio.equity
            - (
                Decimal(10_000)
                + portfolio.realized_pnl
                + portfolio.unrealized_pnl
                - portfolio.fees_paid
            )
        ) < Decimal("1e-12")


async def test_a_crashing_trader_does_not_affect_another(
    kernel: Kernel, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(registry._BUILT_IN, "explodes", Explodes)
    await kernel.traders.add(spec("broken", "explodes", {}))
    await drive(kernel, 200)
    summaries = await kernel.traders.summaries()
    assert summaries["broken"]["state"] == "FAULTED"
    assert "strategy bug" in summaries["broken"]["fault"]
    assert summaries["default"]["state"] == "RUNNING"
    assert summaries["default"]["orders_filled"] > 0
    assert summaries["default"]["bars_processed"] == 200


async def test_starting_a_faulted_trader_again_replaces_its_run(
    kernel: Kernel, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(registry._BUILT_IN, "explodes", Explodes)
    await kernel.traders.add(spec("broken", "explodes", {}))
    await drive(kernel, 100)
    faulted = kernel.traders.runners["broken"]
    assert faulted.state.value == "FAULTED"
    monkeypatch.setitem(registry._BUILT_IN, "explodes", Quiet)  # the bug is fixed
    await kernel.traders.start_trader("broken")
    fresh = kernel.traders.runners["broken"]
    assert fresh is not faulted
    assert (fresh.state.value, fresh.fault) == ("RUNNING", None)


async def test_emergency_stop_cancels_halts_and_flattens(kernel: Kernel) -> None:
    runner = kernel.traders.runners["default"]
    start = FUTURE
    for bar in SyntheticMarket(seed=3).bars("BTC/USDT", "1m", start, 400):
        await runner.on_bar(bar, "t")
        if runner.context.portfolio.open_positions:
            start = bar.ts
            break
    assert runner.context.portfolio.open_positions, "the strategy should have entered"
    await kernel.traders.emergency_stop("default", flatten=True)
    assert runner.context.risk.halted == "emergency stop"
    next_bars = SyntheticMarket(seed=4).bars("BTC/USDT", "1m", start.replace(year=2028), 50)
    for bar in next_bars:
        await runner.on_bar(bar, "t")
    assert runner.context.portfolio.open_positions == []
    assert (await kernel.traders.specs())[0].status == "halted"
    async with kernel.db.read() as connection:
        orders = await list_orders(connection, trader_id="default", limit=10_000)
    after = [o for o in orders if o.created_at >= next_bars[0].ts]
    assert all(o.status is OrderStatus.REJECTED for o in after if not o.reduce_only)


async def test_account_limit_binds_traders_together(tmp_path: Path) -> None:
    kernel = await make_kernel(
        tmp_path, account_max_exposure_usd="12000", max_position_size_usd="10000"
    )
    try:
        await kernel.traders.add(spec("twin", "sma_cross", {"fast": 3, "slow": 8}))
        await drive(kernel, 300)
        async with kernel.db.read() as connection:
            orders = await list_orders(connection, limit=10_000)
        reasons = [o.reason or "" for o in orders if o.status is OrderStatus.REJECTED]
        assert any("account default exposure" in r for r in reasons)
        assert kernel.traders.guards["default"].exposure() <= Decimal(12_000)
    finally:
        await kernel.stop()


async def test_restart_restores_working_orders_without_resending(tmp_path: Path) -> None:
    kernel = await make_kernel(tmp_path)
    runner = kernel.traders.runners["default"]
    bars = SyntheticMarket(seed=3).bars("BTC/USDT", "1m", FUTURE, 400)
    index = 0
    while not runner.context.orders.open_orders():
        await runner.on_bar(bars[index], "t")
        index += 1
    (working,) = runner.context.orders.open_orders()
    await kernel.stop()

    again = await make_kernel(tmp_path)
    try:
        restored = again.traders.runners["default"]
        assert [o.client_order_id for o in restored.context.orders.open_orders()] == [
            working.client_order_id
        ]
        await restored.on_bar(bars[index], "t")
        await restored.journal.flush()  # written with group commit: make it durable now
        async with again.db.read() as connection:
            fills = await list_fills(connection, trader_id="default", limit=10_000)
            orders = await list_orders(connection, trader_id="default", limit=10_000)
        assert [f.client_order_id for f in fills if f.client_order_id == working.client_order_id]
        assert sum(1 for o in orders if o.client_order_id == working.client_order_id) == 1
    finally:
        await again.stop()
