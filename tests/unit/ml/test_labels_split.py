from __future__ import annotations

import numpy as np
import pytest

from tradestack.domain.bar_frame import BarFrame
from tradestack.errors import ConfigError
from tradestack.ml.dataset import build_dataset, time_split
from tradestack.ml.features import FeatureSet
from tradestack.ml.labels import Label

from .conftest import synthetic_frame


def test_sign_label_is_nan_where_the_horizon_runs_past_the_end(frame: BarFrame) -> None:
    y = Label("sign", 5).compute(frame)
    assert np.isnan(y[-5:]).all() and np.isfinite(y[:-5]).all()
    assert y[0] == float(frame.close[5] > frame.close[0])


def test_triple_barrier_takes_the_first_barrier_touched() -> None:
    close = np.array([100, 100, 103, 90, 100, 100], dtype=float)
    f = BarFrame.from_arrays("X", "1h", np.arange(6) * 3600, close, close, close, close, close)
    y = Label("triple_barrier", 3, take_profit=0.02, stop=0.05).compute(f)
    assert y[0] == 1.0  # +3% before -10%
    assert y[2] == 0.0  # 103 -> 90 hits the stop first


def test_label_text_parses_and_bad_text_is_a_config_error() -> None:
    assert Label.parse("threshold:4:0.01") == Label("threshold", 4, threshold=0.01)
    with pytest.raises(ConfigError):
        Label.parse("sign:x")


@pytest.mark.parametrize("embargo", [0, 3])
def test_no_train_row_or_its_horizon_reaches_the_test_rows(frame: BarFrame, embargo: int) -> None:
    label = Label("sign", 6)
    ds = build_dataset(frame, FeatureSet.parse("default"), label)
    train, test = time_split(ds, 0.25, embargo=embargo)
    step = int(frame.ts[1] - frame.ts[0])
    first_test = int(test.ts[0])
    # every train label's horizon (its last price) plus the embargo ends before the test starts
    assert int(train.ts.max()) + (label.horizon + embargo) * step < first_test
    assert set(train.ts.tolist()).isdisjoint(test.ts.tolist())


def test_a_label_horizon_crossing_the_split_is_purged(frame: BarFrame) -> None:
    label = Label("sign", 10)
    ds = build_dataset(frame, FeatureSet.parse("ret_1"), label)
    train, test = time_split(ds, 0.2, purge=label.horizon)
    unpurged, _ = time_split(ds, 0.2, purge=0)
    crossing = set(unpurged.ts.tolist()) - set(train.ts.tolist())
    step = int(frame.ts[1] - frame.ts[0])
    assert len(crossing) == label.horizon
    assert all(t + label.horizon * step >= test.ts[0] for t in crossing)


def test_fingerprint_changes_with_data_features_or_label(frame: BarFrame) -> None:
    fs, label = FeatureSet.parse("ret_1,rsi_14"), Label("sign", 3)
    base = build_dataset(frame, fs, label).fingerprint
    assert build_dataset(synthetic_frame(), fs, label).fingerprint == base
    changed = synthetic_frame()
    changed.close[100] *= 1.0001
    assert build_dataset(changed, fs, label).fingerprint != base
    assert build_dataset(frame, FeatureSet.parse("ret_1,rsi_10"), label).fingerprint != base
    assert build_dataset(frame, fs, Label("sign", 4)).fingerprint != base


def test_too_few_rows_to_split_is_a_config_error(frame: BarFrame) -> None:
    ds = build_dataset(frame, FeatureSet.parse("ret_1"), Label("sign", 1))
    with pytest.raises(ConfigError):
        time_split(ds, 0.5, purge=10_000)
