"""Series builders for backtest tests."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from tradestack.backtest.series import BarSeries
from tradestack.marketdata.synthetic import SyntheticMarket


def series_from(
    opens: list[float], closes: list[float], *, symbol: str = "TEST", timeframe: str = "1d"
) -> BarSeries:
    """Bars with the given opens and closes; highs and lows just wrap them."""
    o, c = np.array(opens, float), np.array(closes, float)
    ts = np.datetime64("2024-01-01", "us") + np.arange(len(c)) * np.timedelta64(1, "D")
    return BarSeries.from_arrays(
        symbol, timeframe, ts, [o, np.maximum(o, c) + 1, np.minimum(o, c) - 0.5, c, np.ones_like(c)]
    )


def continuous(closes: list[float]) -> BarSeries:
    """Bars whose open is the previous close."""
    return series_from([closes[0], *closes[:-1]], closes)


def synthetic(count: int, *, seed: int = 42, timeframe: str = "1m") -> BarSeries:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    columns = SyntheticMarket(seed=seed).arrays("BTC/USDT", timeframe, start, count)
    step = np.timedelta64(60 if timeframe == "1m" else 3600, "s")
    ts = np.datetime64("2024-01-01", "us") + np.arange(count) * step
    return BarSeries.from_arrays("BTC/USDT", timeframe, ts, columns)
