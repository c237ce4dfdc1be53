"""Trader and strategy figures from stored fills, signals and equity, checked by hand."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest

from tests.conftest import BACKENDS
from tests.integration.analytics.seed import D, at, seed_alice
from tradestack.analytics.performance import strategy_performance, trader_performance
from tradestack.analytics.store import store_performance, stored_windows
from tradestack.storage.database import Database

END = at(3, 0)


@pytest.mark.parametrize("database", BACKENDS, indirect=["database"])
async def test_trader_figures_by_hand(database: Database) -> None:
    await seed_alice(database)
    perf = await trader_performance(database, "alice", end=END)
    # one round trip: 1 * (109.89 - 100.05) = 9.84 gross, fees 0.10 + 0.11
    assert (perf.trades, perf.wins, perf.win_rate) == (1, 1, 1.0)
    assert perf.realized_pnl == D("9.63") and perf.fees_paid == D("0.21")
    assert perf.profit_factor is None  # nothing lost
    # equity 10000 -> 10100 -> 10050 -> 9950 -> 10200: worst fall 150 from 10100
    assert perf.net_pnl == D(200) and perf.max_drawdown == D(150)
    assert perf.max_drawdown_pct == pytest.approx(150 / 10100)
    assert perf.daily_pnl == [(date(2026, 1, 5), D(50)), (date(2026, 1, 6), D(150))]
    # daily returns 50/10000 = 0.005 and 150/10050 = 0.0149254
    r1, r2 = 0.005, 150 / 10050
    mean, sd = (r1 + r2) / 2, abs(r2 - r1) / math.sqrt(2)
    assert perf.sharpe == pytest.approx(mean / sd * math.sqrt(365))
    # in the market from day 1 10:00 to day 2 10:00: 24 of 48 hours
    assert perf.exposure_pct == pytest.approx(0.5)
    # buy 5 bps above its signal, sell 10 bps below: weighted by notional
    expected = (5 * 100.05 + 10 * 109.89) / (100.05 + 109.89)
    assert perf.slippage_bps == pytest.approx(expected)
    assert perf.strategy == "sma_cross"


async def test_a_window_counts_only_what_closed_inside_it(database: Database) -> None:
    await seed_alice(database)
    day2 = await trader_performance(database, "alice", start=at(2, 0), end=END)
    assert day2.trades == 1 and day2.fees_paid == D("0.11")  # the entry fill was on day 1
    assert day2.net_pnl == D(150)  # from the last snapshot of day 1
    assert day2.daily_pnl == [(date(2026, 1, 6), D(150))]
    assert day2.exposure_pct == pytest.approx(10 / 24)
    day1 = await trader_performance(database, "alice", start=at(1, 0), end=at(2, 0))
    assert day1.trades == 0 and day1.win_rate is None and day1.net_pnl == D(50)


async def test_strategy_pools_its_traders_and_windows_are_stored(database: Database) -> None:
    await seed_alice(database, "alice")
    await seed_alice(database, "bob")
    pooled = await strategy_performance(database, "sma_cross", end=END)
    assert pooled.trades == 2 and pooled.fees_paid == D("0.42")
    assert pooled.equity_curve[0][1] == D(20000) and pooled.net_pnl == D(400)
    assert pooled.max_drawdown == D(300)

    await store_performance(database, pooled)
    await store_performance(database, pooled)  # a recomputation replaces the row
    single = await trader_performance(database, "alice", start=at(1, 0), end=END)
    await store_performance(database, single)
    rows = {r["name"]: r for r in await stored_windows(database)}
    assert len(rows) == 2 and rows["sma_cross"]["scope"] == "strategy"
    pooled_row = rows["sma_cross"]
    assert pooled_row["net_pnl"] == D(400) and pooled_row["trades"] == 2
    assert pooled_row["window_start"] == at(1, 0)  # no start given: the first equity
    assert pooled_row["metrics"]["fees_paid"] == "0.42"
    assert rows["alice"]["window_end"] - rows["alice"]["window_start"] == timedelta(days=2)
