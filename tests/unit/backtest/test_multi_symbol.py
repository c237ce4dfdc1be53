"""One v2 strategy over two symbols in one backtest: per-symbol windows, no lookahead."""

from datetime import UTC, datetime
from decimal import Decimal as D
from typing import ClassVar

import numpy as np
import pytest

from tradestack.backtest.config import BacktestConfig
from tradestack.backtest.multi_symbol import merged_bars, run_multi_symbol
from tradestack.backtest.series import BarSeries
from tradestack.domain.signals import Signal
from tradestack.marketdata.synthetic import SyntheticMarket
from tradestack.strategy import registry
from tradestack.strategy.indicators import Indicator
from tradestack.strategy.v2 import BarData, StrategyV2


class Rotation(StrategyV2):
    name = "rotation_test"
    window = 30
    peeks: ClassVar[list[str]] = []  # a bar of another symbol newer than the current one
    looked = 0

    def indicators(self) -> list[Indicator]:
        return [Indicator("mean", "SMA", timeperiod=10)]

    def next(self, data: BarData) -> Signal | None:
        other = "ETH/USDT" if data.symbol == "BTC/USDT" else "BTC/USDT"
        try:
            seen = data.history(symbol=other).epochs
        except KeyError:
            return None
        Rotation.looked += 1
        if len(seen) and seen[-1] > data.bar.ts.timestamp():
            Rotation.peeks.append(f"{data.symbol} at {data.bar.ts}")
        mean = data["mean"]
        if mean != mean:
            return None
        want = 45.0 if data.bar.close > mean else 0.0
        return data.target(percent=want)


def series(symbol: str, seed: int) -> BarSeries:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    columns = SyntheticMarket(seed=seed, annual_volatility=1.5).arrays(symbol, "1m", start, 600)
    ts = np.datetime64("2024-01-01", "us") + np.arange(600) * np.timedelta64(60, "s")
    return BarSeries.from_arrays(symbol, "1m", ts, columns)


@pytest.fixture(autouse=True)
def registered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(registry._BUILT_IN, Rotation.name, Rotation)


def test_two_symbols_trade_in_one_portfolio_in_time_order() -> None:
    btc, eth = series("BTC/USDT", 1), series("ETH/USDT", 2)
    bars = merged_bars([btc, eth])
    assert [b.symbol for b in bars[:4]] == ["BTC/USDT", "ETH/USDT", "BTC/USDT", "ETH/USDT"]
    config = BacktestConfig(Rotation.name, {}, cash=D(100_000), lot_size=D("0.0001"))
    result = run_multi_symbol([btc, eth], config)
    assert result.bars == 1200
    assert len(result.trades["BTC/USDT"]) > 3 and len(result.trades["ETH/USDT"]) > 3
    pnl = sum(t.pnl for trades in result.trades.values() for t in trades)
    assert Rotation.peeks == [] and Rotation.looked > 1000
    assert abs(result.final_equity - (D(100_000) + pnl)) < D("0.01")
