"""A backtest is a rehearsal: the same bars through a paper trader give the same orders and fills.

The paper side is the real TraderRunner on a migrated SQLite database,
persisting every change and publishing it on the in-memory bus; the backtest
side is the event-driven engine. Both use the trader assembled by
``build_context``. GOOG's daily bars gap at most opens, so the all-in
re-sizing at the fill price is exercised.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from backtesting.test import GOOG

from tradestack.backtest.config import BacktestConfig
from tradestack.backtest.engine import build_context, run_event
from tradestack.backtest.series import BarSeries
from tradestack.bus.memory import InMemoryBus
from tradestack.domain.enums import OrderStatus
from tradestack.marketdata.replay import bar_event
from tradestack.storage import migrations
from tradestack.storage.database import Database
from tradestack.storage.repositories.orders import list_fills, list_orders
from tradestack.traders.runner import TraderRunner

CONFIG = BacktestConfig("sma_cross", {"fast": 10, "slow": 30}, cash=Decimal(10_000))


def goog() -> BarSeries:
    columns = [GOOG[c].to_numpy() for c in ("Open", "High", "Low", "Close", "Volume")]
    return BarSeries.from_arrays("GOOG", "1d", GOOG.index.to_numpy(), columns)


async def paper_replay(series: BarSeries, tmp_path: Path):  # type: ignore[no-untyped-def]
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'paper.db'}")
    await migrations.upgrade(db.engine)
    bus = InMemoryBus()
    runner = TraderRunner(
        context=build_context(CONFIG, trader_id="paper"),
        db=db,
        bus=bus,
        symbol=series.symbol,
        timeframe=series.timeframe,
        starting_cash=CONFIG.cash,
    )
    await runner.start()
    await bus.start()
    for bar in series.bars():  # what the trader manager does with each market.bar event
        await runner.on_bar(bar, bar_event(bar).trace_id)
    await bus.close()
    await runner.stop()
    async with db.read() as connection:
        fills = await list_fills(connection, trader_id="paper", limit=10_000)
        orders = await list_orders(connection, trader_id="paper", limit=10_000)
    await db.dispose()
    return sorted(fills, key=lambda f: f.ts), orders


async def test_backtest_and_paper_replay_give_the_same_orders_and_fills(tmp_path: Path) -> None:
    series = goog()
    backtest = run_event(series, CONFIG)
    fills, orders = await paper_replay(series, tmp_path)

    expected = []
    for trade in backtest.trades:
        expected.append((trade.entry_time, "BUY", trade.size, trade.entry_price))
        expected.append((trade.exit_time, "SELL", trade.size, trade.exit_price))
    expected.pop()  # the backtest closes its last position at the end; the paper trader holds it
    assert [(f.ts, str(f.side), f.quantity, f.price) for f in fills] == expected
    paper_fees = sum((f.fee for f in fills), Decimal(0))
    last_exit_fee = backtest.trades[-1].exit_price * backtest.trades[-1].size * CONFIG.fee_rate
    assert paper_fees == backtest.fees - last_exit_fee
    assert sum(o.status is OrderStatus.FILLED for o in orders) == len(expected)
    assert not [o for o in orders if o.status is OrderStatus.REJECTED]
