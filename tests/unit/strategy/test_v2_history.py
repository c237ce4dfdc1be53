"""v2 windows, indicators and timeframes: bounded, causal, equal to TA-Lib, rebuilt on re-warm."""

from datetime import timedelta
from decimal import Decimal

import numpy as np
import pytest
import talib

from tests.unit.factories import T0, bars_from_closes
from tradestack.domain.market import Bar
from tradestack.domain.timeframes import Timeframe
from tradestack.strategy.history import RollingArray
from tradestack.strategy.indicators import Indicator
from tradestack.strategy.resample import Resampler
from tradestack.strategy.v2 import BarData, StrategyV2


class Ctx:
    trader_id = "alice"

    def position_quantity(self, symbol: str) -> Decimal:
        return Decimal(0)


def walk(n: int, seed: int = 3) -> list[float]:
    rng = np.random.default_rng(seed)
    return list(100 + np.cumsum(rng.normal(0, 1, n)))


class Recorder(StrategyV2):
    name = "recorder"
    window = 50
    timeframe = "1m"
    timeframes = ("5m",)

    def __init__(self, **params: object) -> None:
        super().__init__(**params)
        self.seen: list[tuple[float, float, float, float, int]] = []

    def indicators(self) -> list[Indicator]:
        return [
            Indicator("sma", "SMA", timeperiod=10),
            Indicator("rsi", "RSI", timeperiod=14),
            Indicator("bb", "BBANDS", timeperiod=20),
            Indicator("sma5m", "SMA", timeperiod=3, timeframe="5m"),
        ]

    def next(self, data: BarData) -> None:
        sma5m = data.indicator("sma5m")
        self.seen.append(
            (
                data["sma"],
                data["rsi"],
                data["bb.upperband"],
                float(sma5m[-1]) if len(sma5m) else np.nan,
                len(data.history("5m")),
            )
        )
        assert data.close[-1] == data.bar.close  # the newest bar is the last element


def test_rolling_array_is_bounded_contiguous_and_read_only() -> None:
    window = RollingArray(4)
    for value in range(11):
        window.append(float(value))
    view = window.view()
    assert list(view) == [7.0, 8.0, 9.0, 10.0]
    assert view.flags.c_contiguous
    with pytest.raises(ValueError):
        view[0] = 1.0


def test_indicators_equal_talib_over_the_window_ending_at_each_bar() -> None:
    closes = walk(400)
    strategy = Recorder()
    bars = bars_from_closes(closes)
    for bar in bars:
        strategy.on_bar(bar, Ctx())
    for t in (60, 200, 399):
        window = np.array(closes[t - 49 : t + 1])
        sma, rsi, upper, _, _ = strategy.seen[t]
        assert sma == pytest.approx(talib.SMA(window, 10)[-1], rel=1e-12)
        assert rsi == pytest.approx(talib.RSI(window, 14)[-1], rel=1e-12)
        assert upper == pytest.approx(talib.BBANDS(window, 20)[0][-1], rel=1e-12)
    assert np.isnan(strategy.seen[5][0])  # not enough bars yet: NaN, never a guess


def test_higher_timeframe_bars_appear_only_when_complete() -> None:
    closes = walk(60)
    strategy = Recorder()
    for bar in bars_from_closes(closes):
        strategy.on_bar(bar, Ctx())
    counts = [seen[4] for seen in strategy.seen]
    # T0 is aligned to 5 minutes: the first 5m bar completes with the bar at minute 4
    assert counts[:4] == [0, 0, 0, 0] and counts[4] == 1 and counts[9] == 2
    # the third completed 5m bar (minute 14) averages the 5m closes at minutes 4, 9, 14
    assert strategy.seen[14][3] == pytest.approx((closes[4] + closes[9] + closes[14]) / 3)


def test_resampler_aggregates_and_drops_a_bucket_joined_halfway() -> None:
    resampler = Resampler(Timeframe.parse("1m"), Timeframe.parse("3m"))
    start = T0 + timedelta(minutes=1)  # joins the 00:00 bucket halfway
    out = []
    for i in range(8):  # minutes 1..8
        bar = Bar("X", "1m", start + timedelta(minutes=i), i, i + 2, i - 1, i + 1, 1.0)
        higher = resampler.add(bar)
        if higher is not None:
            out.append(higher)
    assert [b.ts for b in out] == [T0 + timedelta(minutes=3), T0 + timedelta(minutes=6)]
    first = out[0]  # minutes 3, 4, 5 -> bars i = 2, 3, 4
    assert (first.open, first.high, first.low, first.close, first.volume) == (2, 6, 1, 5, 3.0)


def test_rewarm_from_the_last_warmup_bars_rebuilds_windows_and_indicators_exactly() -> None:
    closes = walk(700, seed=9)
    bars = bars_from_closes(closes)
    running = Recorder()
    for bar in bars:
        running.on_bar(bar, Ctx())
    restarted = Recorder()
    cut = 600
    # a restart: the runner warms a new instance from the last warmup_bars stored bars
    for bar in bars[cut - restarted.warmup_bars : cut]:
        restarted.on_bar(bar, Ctx())
    restarted.seen.clear()
    for bar in bars[cut:]:
        restarted.on_bar(bar, Ctx())
    assert restarted.seen == running.seen[cut:]
    assert restarted.warmup_bars == (Recorder.window + 1) * 5


def test_unknown_indicator_or_parameter_fails_at_creation() -> None:
    class Bad(StrategyV2):
        name = "bad"
        timeframe = "1m"

        def indicators(self) -> list[Indicator]:
            return [Indicator("x", "NOPE")]

        def next(self, data: BarData) -> None:
            return None

    with pytest.raises(ValueError, match="unknown TA-Lib function"):
        Bad()
    Bad.indicators = lambda self: [Indicator("x", "SMA", period=3)]  # type: ignore[method-assign]
    with pytest.raises(ValueError, match="no parameter period"):
        Bad()
