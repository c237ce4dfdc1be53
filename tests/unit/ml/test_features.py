from __future__ import annotations

import numpy as np
import pytest

from tradestack.domain.bar_frame import BarFrame
from tradestack.domain.market import Bar
from tradestack.errors import ConfigError
from tradestack.ml.features import (
    DEFAULT_FEATURES,
    FeatureSet,
    frame_from_window,
    head,
)
from tradestack.strategy.history import BarWindow


def test_latest_on_a_prefix_equals_the_full_compute_row(frame: BarFrame) -> None:
    fs = FeatureSet.from_specs(DEFAULT_FEATURES)
    full = fs.compute(frame)
    for t in range(0, len(frame), 7):
        np.testing.assert_array_equal(fs.latest(head(frame, t + 1)), full[t])


def test_rows_are_nan_before_warmup_and_finite_after(frame: BarFrame) -> None:
    fs = FeatureSet.from_specs(DEFAULT_FEATURES)
    out = fs.compute(frame)
    assert out.shape == (len(frame), len(fs.columns))
    assert np.isnan(out[: fs.warmup]).all()
    assert np.isfinite(out[fs.warmup :]).all()


def test_unknown_or_malformed_specs_are_one_line_config_errors() -> None:
    for bad in ("nope_3", "rsi", "sma_ratio_10", "ret_0", "ret_x"):
        with pytest.raises(ConfigError) as info:
            FeatureSet.from_specs([bad])
        assert "\n" not in str(info.value)


def test_fingerprint_follows_the_definition() -> None:
    a = FeatureSet.parse("ret_1,rsi_14")
    assert a.fingerprint == FeatureSet.parse("ret_1, rsi_14").fingerprint
    assert a.fingerprint != FeatureSet.parse("ret_1,rsi_15").fingerprint
    assert a.fingerprint != FeatureSet.parse("rsi_14,ret_1").fingerprint


def test_a_strategy_window_feeds_latest(frame: BarFrame) -> None:
    fs = FeatureSet.parse("ret_1,sma_ratio_3_5,hour_sin")
    window = BarWindow(fs.warmup + 1)
    from datetime import UTC, datetime

    for i in range(len(frame)):
        window.append(
            Bar(
                symbol=frame.symbol,
                timeframe=frame.timeframe,
                ts=datetime.fromtimestamp(int(frame.ts[i]), UTC),
                open=float(frame.open[i]),
                high=float(frame.high[i]),
                low=float(frame.low[i]),
                close=float(frame.close[i]),
                volume=float(frame.volume[i]),
            )
        )
    live = fs.latest(frame_from_window(window, frame.symbol, frame.timeframe))
    np.testing.assert_allclose(live, fs.compute(frame)[-1])
