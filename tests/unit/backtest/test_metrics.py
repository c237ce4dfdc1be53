import math
from datetime import timedelta
from decimal import Decimal as D

import numpy as np
import pytest

from tests.unit.backtest.conftest import continuous
from tradestack.backtest.config import BacktestConfig
from tradestack.backtest.engine import run_event
from tradestack.backtest.metrics import compute
from tradestack.backtest.result import BacktestResult
from tradestack.backtest.trades import TradeArrays


def result_with(equity: list[float], pnl: list[float], position: list[float]) -> BacktestResult:
    series = continuous([100.0] * len(equity))
    k = len(pnl)
    trades = TradeArrays(
        direction=np.ones(k, np.int8),
        entry_index=np.zeros(k, np.int64),
        exit_index=np.zeros(k, np.int64),
        entry_price=np.full(k, 100.0),
        exit_price=np.full(k, 100.0),
        size=np.ones(k),
        fees=np.zeros(k),
        pnl=np.array(pnl, float),
    )
    return BacktestResult(
        engine="test",
        config=BacktestConfig("sma_cross", cash=D(100)),
        series=series,
        equity=np.array(equity, float),
        position=np.array(position, float),
        trade_arrays=trades,
        final_equity=D(repr(equity[-1])),
        fees=D(0),
        elapsed_s=0.0,
        _trades=[],
    )


def test_drawdown_depth_and_duration() -> None:
    m = compute(result_with([110, 99, 88, 100, 121, 120], [10, -5, 15], [1, 1, 0, 0, 1, 0]))
    assert m.max_drawdown_pct == pytest.approx(-20.0)
    assert m.max_drawdown_duration == timedelta(days=4)  # peak at bar 0 (110), recovered at bar 4
    assert m.total_return_pct == pytest.approx(20.0)
    assert m.exposure_pct == pytest.approx(50.0)


def test_trade_statistics() -> None:
    m = compute(result_with([100, 101, 102], [10, -5, 15, -5], [0, 0, 0]))
    assert m.trades == 4
    assert m.win_rate_pct == 50.0
    assert m.profit_factor == pytest.approx(25 / 10)
    assert m.expectancy == pytest.approx(3.75)
    assert m.best_trade_pct == pytest.approx(15.0) and m.worst_trade_pct == pytest.approx(-5.0)


def test_no_trades_and_no_variance_give_nan_not_errors() -> None:
    m = compute(result_with([100, 100, 100], [], [0, 0, 0]))
    assert m.trades == 0 and math.isnan(m.win_rate_pct) and math.isnan(m.sharpe)
    assert m.as_dict()["sharpe"] is None and m.as_dict()["profit_factor"] is None


def test_annualisation_follows_the_data_bars_per_year() -> None:
    rng = np.random.default_rng(1)
    equity = 100 * np.cumprod(1 + rng.normal(0.001, 0.01, 365))
    m = compute(result_with(equity.tolist(), [], [0] * 365))
    returns = np.diff(np.r_[100, equity]) / np.r_[100, equity][:-1]
    expected = returns.mean() / returns.std(ddof=1) * math.sqrt(365 / (365 / 365.25))
    assert m.sharpe == pytest.approx(expected)


def test_metrics_of_a_real_run_are_consistent() -> None:
    closes = [10, 10, 10, 9, 8, 9, 11, 12, 11, 9, 8, 8]
    result = run_event(continuous(closes), BacktestConfig("sma_cross", {"fast": 2, "slow": 3}))
    m = compute(result)
    assert m.trades == 1 and m.win_rate_pct == 0.0
    assert m.final_equity == pytest.approx(float(result.final_equity))
    assert m.fees == pytest.approx(float(result.fees))
