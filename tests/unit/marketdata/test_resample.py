"""Resampling: property tests against a plain-Python aggregation."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradestack.domain.bar_frame import BarFrame
from tradestack.marketdata.resample import resample

T0 = 1_704_067_200  # 2024-01-01 00:00 UTC


@st.composite
def minute_frames(draw: st.DrawFn) -> BarFrame:
    slots = draw(st.lists(st.integers(0, 3 * 1440), min_size=1, max_size=300, unique=True))
    slots.sort()
    n = len(slots)
    price = st.floats(1, 1000, allow_nan=False)
    opens = np.array(draw(st.lists(price, min_size=n, max_size=n)))
    closes = np.array(draw(st.lists(price, min_size=n, max_size=n)))
    ups = np.array(draw(st.lists(st.floats(0, 5), min_size=n, max_size=n)))
    downs = np.array(draw(st.lists(st.floats(0, 0.9), min_size=n, max_size=n)))
    volumes = np.array(draw(st.lists(st.floats(0, 1e6), min_size=n, max_size=n)))
    highs = np.maximum(opens, closes) + ups
    lows = np.minimum(opens, closes) * (1 - downs)
    ts = T0 + 60 * np.array(slots, dtype=np.int64)
    return BarFrame.from_arrays("X", "1m", ts, opens, highs, lows, closes, volumes)


def reference(frame: BarFrame, seconds: int) -> dict[int, tuple[float, float, float, float, float]]:
    groups: dict[int, list[int]] = defaultdict(list)
    for i, t in enumerate(frame.ts.tolist()):
        groups[t - t % seconds].append(i)
    return {
        bucket: (
            frame.open[rows[0]],
            max(frame.high[r] for r in rows),
            min(frame.low[r] for r in rows),
            frame.close[rows[-1]],
            sum(frame.volume[r] for r in rows),
        )
        for bucket, rows in groups.items()
    }


@settings(max_examples=80, deadline=None)
@given(frame=minute_frames(), target=st.sampled_from(["5m", "15m", "1h", "1d"]))
def test_each_bucket_aggregates_like_the_reference(frame: BarFrame, target: str) -> None:
    seconds = {"5m": 300, "15m": 900, "1h": 3600, "1d": 86400}[target]
    out = resample(frame, target).frame
    expected = reference(frame, seconds)
    assert out.ts.tolist() == sorted(expected)
    for i, t in enumerate(out.ts.tolist()):
        o, h, lo, c, v = expected[t]
        assert (out.open[i], out.high[i], out.low[i], out.close[i]) == (o, h, lo, c)
        assert out.volume[i] == pytest.approx(v)
    assert out.volume.sum() == pytest.approx(frame.volume.sum())
    assert np.all(out.high >= np.maximum(out.open, out.close))
    assert np.all(out.low <= np.minimum(out.open, out.close))


@settings(max_examples=40, deadline=None)
@given(frame=minute_frames())
def test_resampling_in_steps_equals_resampling_at_once(frame: BarFrame) -> None:
    direct = resample(frame, "1h").frame
    stepped = resample(resample(frame, "5m").frame, "1h").frame
    for column in ("ts", "open", "high", "low", "close"):
        assert np.array_equal(getattr(direct, column), getattr(stepped, column))
    assert np.allclose(direct.volume, stepped.volume)


def test_complete_only_drops_short_buckets_and_origin_shifts_days() -> None:
    ts = T0 + 60 * np.arange(7, dtype=np.int64)
    ones = np.ones(7)
    frame = BarFrame.from_arrays("X", "1m", ts, ones, ones * 2, ones / 2, ones, ones)
    result = resample(frame, "5m", complete_only=True)
    assert result.frame.ts.tolist() == [T0] and result.source_counts.tolist() == [5]
    bogota_days = resample(frame, "1d", origin_s=5 * 3600).frame
    assert bogota_days.ts.tolist() == [T0 - 19 * 3600]  # 2023-12-31 00:00 in Bogota


def test_target_must_be_a_multiple() -> None:
    frame = BarFrame.from_arrays("X", "5m", [T0], [1], [1], [1], [1], [1])
    with pytest.raises(ValueError, match="not a whole multiple"):
        resample(frame, "7m")
