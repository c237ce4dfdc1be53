"""Indicators: names, published reference values, independent formulas, rolling windows."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest
import talib

from tradestack.domain.bar_frame import BarFrame
from tradestack.marketdata.indicators import IndicatorWindow, compute, parse_indicators
from tradestack.marketdata.synthetic import SyntheticMarket

# Wilder's RSI worked example as published by StockCharts ("ChartSchool: RSI").
WILDER_CLOSES = [
    44.34, 44.09, 44.15, 43.61, 44.33, 44.83, 45.10, 45.42, 45.84, 46.08, 45.89, 46.03, 45.61,
    46.28, 46.28, 46.00, 46.03, 46.41, 46.22, 45.64, 46.21, 46.25, 45.71, 46.45, 45.78, 45.35,
    44.03, 44.18, 44.22, 44.57, 43.42, 42.66, 43.13,
]  # fmt: skip
STOCKCHARTS_RSI = [
    70.53, 66.32, 66.55, 69.41, 66.36, 57.97, 62.93, 63.26, 56.06, 62.38, 54.71, 50.42, 39.99,
    41.46, 41.87, 45.46, 37.30, 33.08, 37.77,
]  # fmt: skip
START = datetime(2024, 1, 1, tzinfo=UTC)


def closes_frame(closes: list[float]) -> BarFrame:
    c = np.array(closes)
    ts = int(START.timestamp()) + 60 * np.arange(len(c))
    return BarFrame.from_arrays("X", "1m", ts, c, c + 0.5, c - 0.5, c, np.ones(len(c)))


def market(count: int = 600) -> BarFrame:
    arrays = SyntheticMarket(seed=11).arrays("BTC/USDT", "1m", START, count)
    return BarFrame.from_arrays(
        "BTC/USDT", "1m", int(START.timestamp()) + 60 * np.arange(count), *arrays
    )


def test_rsi_matches_the_published_wilder_example() -> None:
    values = compute(closes_frame(WILDER_CLOSES), parse_indicators("rsi_14"))["rsi_14"]
    assert np.isnan(values[:14]).all()
    assert values[14:] == pytest.approx(STOCKCHARTS_RSI, abs=0.1)


def test_sma_and_ema_on_a_straight_line() -> None:
    values = compute(
        closes_frame([float(x) for x in range(1, 11)]), parse_indicators("sma_3,ema_3")
    )
    assert values["sma_3"][2:].tolist() == [2, 3, 4, 5, 6, 7, 8, 9]
    assert values["ema_3"][2:].tolist() == [2, 3, 4, 5, 6, 7, 8, 9]  # seeded by the SMA, lag 1


def test_each_indicator_equals_the_library_and_an_independent_formula() -> None:
    bars = market()
    out = compute(bars, parse_indicators("ema_20,sma_50,rsi_14,macd_12_26_9,bbands_20_2,atr_14"))
    assert np.array_equal(out["ema_20"], talib.EMA(bars.close, 20), equal_nan=True)
    assert np.array_equal(out["rsi_14"], talib.RSI(bars.close, 14), equal_nan=True)
    window = np.lib.stride_tricks.sliding_window_view(bars.close, 20)
    assert out["bbands_20_2_middle"][19:] == pytest.approx(window.mean(axis=1))
    assert out["bbands_20_2_upper"][19:] == pytest.approx(
        window.mean(axis=1) + 2 * window.std(axis=1)
    )
    macd = talib.EMA(bars.close, 12) - talib.EMA(bars.close, 26)
    assert out["macd_12_26_9"][200:] == pytest.approx(macd[200:], abs=1e-6)
    assert out["macd_12_26_9_hist"][200:] == pytest.approx(
        out["macd_12_26_9"][200:] - out["macd_12_26_9_signal"][200:]
    )
    assert out["atr_14"][14:] == pytest.approx(wilder_atr(bars, 14)[14:])


def wilder_atr(bars: BarFrame, period: int) -> np.ndarray:
    previous = np.concatenate([[np.nan], bars.close[:-1]])
    true_range = np.nanmax(
        [bars.high - bars.low, np.abs(bars.high - previous), np.abs(bars.low - previous)], axis=0
    )
    atr = np.full(len(bars), np.nan)
    atr[period] = true_range[1 : period + 1].mean()
    for i in range(period + 1, len(bars)):
        atr[i] = (atr[i - 1] * (period - 1) + true_range[i]) / period
    return atr


def test_vwap_restarts_each_day() -> None:
    ts = int(START.timestamp()) + 3600 * np.arange(48)
    price = np.linspace(100, 147, 48)
    volume = np.arange(1, 49, dtype=float)
    bars = BarFrame.from_arrays("X", "1h", ts, price, price + 1, price - 1, price, volume)
    vwap = compute(bars, parse_indicators("vwap"))["vwap"]
    for day in (slice(0, 24), slice(24, 48)):
        expected = np.cumsum(price[day] * volume[day]) / np.cumsum(volume[day])
        assert vwap[day] == pytest.approx(expected)


def test_bad_names_are_clear() -> None:
    for text, message in (
        ("ema_20,foo_3", "unknown indicator 'foo_3'"),
        ("rsi_14_2", "at most 1 parameter"),
        ("ema_x", "must be numbers"),
        ("sma_0", "positive whole numbers"),
    ):
        with pytest.raises(ValueError, match=message):
            parse_indicators(text)
    assert [s.name for s in parse_indicators(" EMA_20, bollinger ")] == ["ema_20", "bollinger"]


def test_a_rolling_window_gives_strategies_the_same_latest_values() -> None:
    bars = market(400)
    window = IndicatorWindow("ema_20,rsi_14", size=300)
    for bar in bars.to_bars():
        latest = window.update(bar)
    full = compute(bars.take(slice(100, 400)), parse_indicators("ema_20,rsi_14"))
    assert latest["ema_20"] == pytest.approx(full["ema_20"][-1])
    assert latest["rsi_14"] == pytest.approx(full["rsi_14"][-1])
    assert len(window.values("ema_20")) == 300
