"""The same SMA(10, 30) crossover in backtesting.py and tradestack gives the same trades.

backtesting.py is set up with tradestack's rules: market orders at the next
bar's open (``trade_on_close=False``), one position at a time
(``exclusive_orders=True``), the same commission on entry and exit, whole
units all-in. The one rule it lacks is closing an open position at the last
bar's close (its ``finalize_trades`` closes at the last bar's open), so it
runs without finalizing: its still-open trade must match our last trade's
entry, and its final equity (marked at the last close, exit fee unpaid) must
be within 0.5% of ours.
"""

from __future__ import annotations

import warnings
from datetime import UTC
from decimal import Decimal

import pandas as pd
import pytest
from backtesting import Backtest, Strategy
from backtesting.lib import crossover
from backtesting.test import EURUSD, GOOG, SMA

from tests.unit.backtest.conftest import synthetic
from tradestack.backtest.config import BacktestConfig
from tradestack.backtest.engine import run_event
from tradestack.backtest.series import BarSeries
from tradestack.backtest.vector.engine import run_vector


class SmaCross(Strategy):
    fast = 10
    slow = 30

    def init(self) -> None:
        self.fast_sma = self.I(SMA, self.data.Close, self.fast)
        self.slow_sma = self.I(SMA, self.data.Close, self.slow)

    def next(self) -> None:
        if crossover(self.fast_sma, self.slow_sma):
            self.buy()
        elif crossover(self.slow_sma, self.fast_sma):
            self.position.close()


def peer_run(frame: pd.DataFrame, cash: float, fee: float):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        stats = Backtest(
            frame,
            SmaCross,
            cash=cash,
            commission=fee,
            trade_on_close=False,
            exclusive_orders=True,
            finalize_trades=False,
        ).run()
    return stats


def series_of(frame: pd.DataFrame, symbol: str, timeframe: str) -> BarSeries:
    columns = [frame[c].to_numpy() for c in ("Open", "High", "Low", "Close", "Volume")]
    return BarSeries.from_arrays(symbol, timeframe, frame.index.to_numpy(), columns)


def frame_of(series: BarSeries) -> pd.DataFrame:
    return pd.DataFrame(
        {"Open": series.open, "High": series.high, "Low": series.low, "Close": series.close,
         "Volume": series.volume},
        index=pd.DatetimeIndex(series.ts),
    )  # fmt: skip


def assert_agree(frame: pd.DataFrame, series: BarSeries, cash: int, fee: str) -> None:
    stats = peer_run(frame, cash, float(fee))
    closed, still_open = stats._trades, list(stats._strategy.trades)
    config = BacktestConfig("sma_cross", {"fast": 10, "slow": 30}, cash=Decimal(cash),
                            fee_rate=Decimal(fee))  # fmt: skip
    for ours in (run_event(series, config), run_vector(series, config)):
        trades = ours.trades
        assert len(trades) == len(closed) + len(still_open)
        times = [(t.entry_time, t.exit_time, int(t.size)) for t in trades[: len(closed)]]
        peer = [
            (_utc(row.EntryTime), _utc(row.ExitTime), int(row.Size)) for row in closed.itertuples()
        ]
        assert times == peer
        for trade, peer_trade in zip(trades[len(closed) :], still_open, strict=True):
            assert trade.entry_index == peer_trade.entry_bar
            assert trade.exit_index == len(series) - 1
        final = float(ours.final_equity)
        assert final == pytest.approx(stats["Equity Final [$]"], rel=0.005)


def _utc(value: pd.Timestamp):  # type: ignore[no-untyped-def]
    return value.to_pydatetime().replace(tzinfo=UTC)


def test_goog_daily_agrees_with_backtesting_py() -> None:
    assert_agree(GOOG, series_of(GOOG, "GOOG", "1d"), 10_000, "0.001")


def test_eurusd_hourly_agrees_with_backtesting_py() -> None:
    assert_agree(EURUSD, series_of(EURUSD, "EUR/USD", "1h"), 10_000, "0.0002")


def test_synthetic_minutes_agree_with_backtesting_py() -> None:
    series = synthetic(20_000)
    assert_agree(frame_of(series), series, 10_000_000, "0")
