"""Datasets from stored bars, a purged/embargoed time split and a fingerprint of the inputs."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from datetime import datetime

import numpy as np

from tradestack.domain.bar_frame import BarFrame
from tradestack.errors import ConfigError, NotFoundError
from tradestack.ml.features import FeatureSet
from tradestack.ml.labels import Label
from tradestack.storage.database import Database
from tradestack.storage.repositories.bar_frames import read_frame


@dataclass(frozen=True)
class Dataset:
    """Rows of features ``X`` with labels ``y`` at bar times ``ts`` (epoch seconds)."""

    X: np.ndarray
    y: np.ndarray
    ts: np.ndarray
    feature_set: FeatureSet
    label: Label
    fingerprint: str
    symbol: str = ""
    timeframe: str = ""

    def __len__(self) -> int:
        return int(self.ts.shape[0])

    def _take(self, mask: np.ndarray | slice) -> Dataset:
        return replace(self, X=self.X[mask], y=self.y[mask], ts=self.ts[mask])


def frame_fingerprint(frame: BarFrame, feature_set: FeatureSet, label: Label) -> str:
    """Changes when any bar, the feature definition or the label changes."""
    data = hashlib.sha256()
    for name in ("ts", "open", "high", "low", "close", "volume"):
        data.update(np.ascontiguousarray(getattr(frame, name)).tobytes())
    ts = frame.ts
    body = {
        "symbol": frame.symbol,
        "timeframe": frame.timeframe,
        "range": [int(ts[0]), int(ts[-1])] if len(ts) else None,
        "rows": len(frame),
        "ohlcv": data.hexdigest(),
        "features": feature_set.fingerprint,
        "label": label.to_dict(),
    }
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def build_dataset(frame: BarFrame, feature_set: FeatureSet, label: Label) -> Dataset:
    """Features and labels aligned per bar; rows with any NaN (warmup, horizon end) dropped."""
    X = feature_set.compute(frame)
    y = label.compute(frame)
    keep = np.isfinite(X).all(axis=1) & np.isfinite(y)
    return Dataset(
        X[keep], y[keep], frame.ts[keep], feature_set, label,
        frame_fingerprint(frame, feature_set, label), frame.symbol, frame.timeframe,
    )  # fmt: skip


def time_split(
    ds: Dataset, test_fraction: float = 0.2, *, purge: int | None = None, embargo: int = 0
) -> tuple[Dataset, Dataset]:
    """Train rows strictly before test rows, minus ``purge + embargo`` rows in between.

    ``purge`` defaults to the label horizon: a train label looking ``h`` bars ahead would
    otherwise read prices inside the test period. Gap rows are counted in dataset rows,
    which are bars once NaN rows are gone (they only sit at the edges of a frame).
    """
    if not 0 < test_fraction < 1:
        raise ConfigError("test fraction must be between 0 and 1")
    gap = (ds.label.horizon if purge is None else purge) + embargo
    n = len(ds)
    n_test = round(n * test_fraction)
    first_test = n - n_test
    last_train = first_test - gap
    if n_test < 1 or last_train < 1:
        raise ConfigError(f"{n} rows are too few to split with a gap of {gap} rows")
    return ds._take(slice(0, last_train)), ds._take(slice(first_test, n))


async def load_frame(
    database: Database,
    symbol: str,
    timeframe: str,
    start: datetime | None = None,
    end: datetime | None = None,
) -> BarFrame:
    """Stored bars in ``[start, end)``, oldest first; no bars is a NotFoundError."""
    async with database.read() as connection:
        frame = await read_frame(connection, symbol, timeframe, start=start, end=end)
    if len(frame) == 0:
        raise NotFoundError(f"no stored bars for {symbol} {timeframe} in that range")
    return frame
