"""Declared feature sets computed by one code path for training, backtests and live.

A spec string is ``kind`` or ``kind_N`` or ``kind_N_M`` (``ret_5``, ``sma_ratio_10_30``,
``lag_ret_1_3``, ``hour_sin``), so sets are easy to write in config and on the command line.
``latest`` is ``compute`` over the trailing ``warmup + 1`` bars, never a second formula,
so a live prediction sees exactly the numbers the model was trained on.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from tradestack.domain.bar_frame import BarFrame
from tradestack.errors import ConfigError
from tradestack.strategy.history import BarWindow

FEATURE_CODE_VERSION = "1"

DEFAULT_FEATURES: tuple[str, ...] = (
    "ret_1", "ret_5", "logret_1", "lag_ret_1_3", "sma_ratio_10_30", "ema_ratio_12_26",
    "rsi_14", "zscore_20", "vol_20", "range_14", "volume_z_20",
    "hour_sin", "hour_cos", "dow_sin", "dow_cos",
)  # fmt: skip


def _shift(a: np.ndarray, n: int) -> np.ndarray:
    out = np.full_like(a, np.nan)
    if n < len(a):
        out[n:] = a[: len(a) - n]
    return out


def _rolling(a: np.ndarray, n: int, fn: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    out = np.full(len(a), np.nan)
    if len(a) >= n:
        windows = np.lib.stride_tricks.sliding_window_view(a, n)
        out[n - 1 :] = fn(windows)
    return out


def _mean(a: np.ndarray, n: int) -> np.ndarray:
    return _rolling(a, n, lambda w: w.mean(axis=1))


def _std(a: np.ndarray, n: int) -> np.ndarray:
    return _rolling(a, n, lambda w: w.std(axis=1, ddof=1))


def _ema(a: np.ndarray, n: int) -> np.ndarray:
    """EMA seeded with the SMA of the first n values, so its value depends on a fixed window.

    A recursive EMA from the series start would make ``latest`` over a short tail differ
    from ``compute`` over the full frame; a finite window of 4n bars bounds it exactly.
    """
    span = 4 * n
    alpha = 2.0 / (n + 1)
    weights = (1 - alpha) ** np.arange(span - 1, -1, -1)
    weights /= weights.sum()
    # an elementwise product and row sum, not a matmul: BLAS may sum a stack in another order
    return _rolling(a, span, lambda w: (w * weights).sum(axis=1))


def _ret(c: np.ndarray, n: int) -> np.ndarray:
    return c / _shift(c, n) - 1.0


def _rsi(c: np.ndarray, n: int) -> np.ndarray:
    d = np.diff(c, prepend=np.nan)
    up = _mean(np.where(d > 0, d, 0.0), n)
    down = _mean(np.where(d < 0, -d, 0.0), n)
    up[0:n] = np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        rs = np.where(down == 0, np.inf, up / down)
    return 100.0 - 100.0 / (1.0 + rs)


def _cyc(
    ts: np.ndarray, period: int, unit: int, fn: Callable[[np.ndarray], np.ndarray]
) -> np.ndarray:
    phase = (ts // unit) % period
    return fn(2 * np.pi * phase / period)


@dataclass(frozen=True)
class _Kind:
    arity: int
    warmup: Callable[..., int]
    fn: Callable[..., np.ndarray]


def _lag_ret(f: BarFrame, n: int, lag: int) -> np.ndarray:
    return _shift(_ret(f.close, n), lag)


_KINDS: dict[str, _Kind] = {
    "ret": _Kind(1, lambda n: n, lambda f, n: _ret(f.close, n)),
    "logret": _Kind(1, lambda n: n, lambda f, n: np.log(f.close / _shift(f.close, n))),
    "lag_ret": _Kind(2, lambda n, lag: n + lag, _lag_ret),
    "sma_ratio": _Kind(
        2, lambda a, b: max(a, b) - 1, lambda f, a, b: _mean(f.close, a) / _mean(f.close, b) - 1
    ),
    "ema_ratio": _Kind(
        2, lambda a, b: 4 * max(a, b) - 1, lambda f, a, b: _ema(f.close, a) / _ema(f.close, b) - 1
    ),
    "rsi": _Kind(1, lambda n: n, lambda f, n: _rsi(f.close, n)),
    "zscore": _Kind(
        1, lambda n: n - 1, lambda f, n: (f.close - _mean(f.close, n)) / _std(f.close, n)
    ),
    "vol": _Kind(1, lambda n: n, lambda f, n: _std(np.log(f.close / _shift(f.close, 1)), n)),
    "range": _Kind(1, lambda n: n - 1, lambda f, n: _mean((f.high - f.low) / f.close, n)),
    "volume_z": _Kind(
        1, lambda n: n - 1, lambda f, n: (f.volume - _mean(f.volume, n)) / _std(f.volume, n)
    ),
    "hour_sin": _Kind(0, lambda: 0, lambda f: _cyc(f.ts, 24, 3600, np.sin)),
    "hour_cos": _Kind(0, lambda: 0, lambda f: _cyc(f.ts, 24, 3600, np.cos)),
    # 1970-01-01 was a Thursday; shifting by 3 days puts Monday at phase 0
    "dow_sin": _Kind(0, lambda: 0, lambda f: _cyc(f.ts + 3 * 86400, 7, 86400, np.sin)),
    "dow_cos": _Kind(0, lambda: 0, lambda f: _cyc(f.ts + 3 * 86400, 7, 86400, np.cos)),
}

_SPEC = re.compile(r"^([a-z_]+?)((?:_\d+)*)$")


def _parse(spec: str) -> tuple[str, tuple[int, ...]]:
    m = _SPEC.match(spec.strip())
    if m is None:
        raise ConfigError(f"unknown feature {spec!r}; known kinds: {', '.join(sorted(_KINDS))}")
    kind, nums = m.group(1), m.group(2)
    args = tuple(int(x) for x in nums.split("_") if x)
    k = _KINDS.get(kind)
    if k is None:
        raise ConfigError(f"unknown feature {spec!r}; known kinds: {', '.join(sorted(_KINDS))}")
    if len(args) != k.arity or any(a < 1 for a in args):
        raise ConfigError(f"feature {spec!r} needs {k.arity} positive whole-number argument(s)")
    return kind, args


@dataclass(frozen=True)
class FeatureSet:
    """An ordered set of features; its fingerprint ties a model to the exact definition."""

    specs: tuple[str, ...]
    _parsed: tuple[tuple[str, tuple[int, ...]], ...] = field(repr=False, compare=False)

    @classmethod
    def from_specs(cls, specs: Sequence[str]) -> FeatureSet:
        cleaned = tuple(s.strip() for s in specs if s.strip())
        if not cleaned:
            raise ConfigError("a feature set needs at least one feature")
        if len(set(cleaned)) != len(cleaned):
            raise ConfigError("a feature set lists a feature twice")
        return cls(cleaned, tuple(_parse(s) for s in cleaned))

    @classmethod
    def parse(cls, text: str) -> FeatureSet:
        """A comma-separated list, or ``default``, as typed on the command line."""
        if text.strip() == "default":
            return cls.from_specs(DEFAULT_FEATURES)
        return cls.from_specs(text.split(","))

    @property
    def columns(self) -> tuple[str, ...]:
        return self.specs

    @property
    def warmup(self) -> int:
        return max(_KINDS[k].warmup(*a) for k, a in self._parsed)

    @property
    def fingerprint(self) -> str:
        body = json.dumps({"code": FEATURE_CODE_VERSION, "specs": list(self.specs)})
        return hashlib.sha256(body.encode()).hexdigest()

    def compute(self, frame: BarFrame) -> np.ndarray:
        out = np.empty((len(frame), len(self._parsed)), dtype=np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            for j, (kind, args) in enumerate(self._parsed):
                out[:, j] = _KINDS[kind].fn(frame, *args)
        out[~np.isfinite(out)] = np.nan
        out[: min(self.warmup, len(frame))] = np.nan
        return out

    def latest(self, frame_tail: BarFrame) -> np.ndarray:
        n = self.warmup + 1
        if len(frame_tail) < n:
            return np.full(len(self.specs), np.nan)
        return self.compute(tail(frame_tail, n))[-1]


def tail(frame: BarFrame, n: int) -> BarFrame:
    """The last n bars of a frame."""
    return BarFrame(
        frame.symbol, frame.timeframe,
        *(getattr(frame, c)[-n:] for c in ("ts", "open", "high", "low", "close", "volume")),
    )  # fmt: skip


def head(frame: BarFrame, n: int) -> BarFrame:
    """The first n bars of a frame."""
    return BarFrame(
        frame.symbol, frame.timeframe,
        *(getattr(frame, c)[:n] for c in ("ts", "open", "high", "low", "close", "volume")),
    )  # fmt: skip


def frame_from_window(window: BarWindow, symbol: str, timeframe: str) -> BarFrame:
    """The strategy SDK's rolling window as a frame tail, so live code calls ``latest``."""
    return BarFrame.from_arrays(
        symbol, timeframe, window.epochs, window.open, window.high, window.low,
        window.close, window.volume,
    )  # fmt: skip
