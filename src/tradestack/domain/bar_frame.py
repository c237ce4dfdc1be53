"""A columnar batch of bars of one series: the shape bulk market data moves in.

``Bar`` objects cost about a microsecond each to build and a few hundred bytes
to keep; ten million of them would not fit the memory budget of an import. A
``BarFrame`` keeps the same data as six numpy arrays, so quality checks, gap
detection, resampling, storage and archives work on whole batches at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from tradestack.domain.market import Bar

PRICE_COLUMNS = ("open", "high", "low", "close", "volume")


@dataclass(frozen=True, slots=True)
class BarFrame:
    """Bars of one ``symbol`` and ``timeframe``; ``ts`` is int64 epoch seconds of each open.

    The arrays have equal length; nothing here checks the bars are sane (that
    is ``marketdata.quality``) or sorted (call ``sorted``).
    """

    symbol: str
    timeframe: str
    ts: np.ndarray
    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    volume: np.ndarray

    def __len__(self) -> int:
        return int(self.ts.shape[0])

    @classmethod
    def empty(cls, symbol: str, timeframe: str) -> BarFrame:
        floats = np.empty(0, dtype=np.float64)
        return cls(symbol, timeframe, np.empty(0, dtype=np.int64), *(floats,) * 5)

    @classmethod
    def from_arrays(
        cls,
        symbol: str,
        timeframe: str,
        ts: np.ndarray,
        open: np.ndarray,
        high: np.ndarray,
        low: np.ndarray,
        close: np.ndarray,
        volume: np.ndarray,
    ) -> BarFrame:
        """Build a frame, converting the arrays to int64 seconds and float64 values."""
        return cls(
            symbol,
            timeframe,
            np.ascontiguousarray(ts, dtype=np.int64),
            *(np.ascontiguousarray(a, dtype=np.float64) for a in (open, high, low, close, volume)),
        )

    @classmethod
    def from_bars(cls, bars: Sequence[Bar]) -> BarFrame:
        """Build a frame from bars of one series; raise ValueError if they mix series."""
        if not bars:
            raise ValueError("cannot build a frame from no bars without a symbol and timeframe")
        symbol, timeframe = bars[0].symbol, bars[0].timeframe
        if any(b.symbol != symbol or b.timeframe != timeframe for b in bars):
            raise ValueError("bars of several series cannot share one frame")
        return cls.from_arrays(
            symbol,
            timeframe,
            np.fromiter((int(b.ts.timestamp()) for b in bars), np.int64, len(bars)),
            *(
                np.fromiter((getattr(b, c) for b in bars), np.float64, len(bars))
                for c in PRICE_COLUMNS
            ),
        )

    def to_bars(self) -> list[Bar]:
        columns = [getattr(self, c).tolist() for c in PRICE_COLUMNS]
        times = [datetime.fromtimestamp(t, tz=UTC) for t in self.ts.tolist()]
        return [
            Bar(self.symbol, self.timeframe, t, o, h, lo, c, v)
            for t, o, h, lo, c, v in zip(times, *columns, strict=True)
        ]

    def take(self, index: np.ndarray | slice) -> BarFrame:
        """Return the rows selected by a boolean mask, integer indices or a slice."""
        return BarFrame(
            self.symbol,
            self.timeframe,
            self.ts[index],
            *(getattr(self, c)[index] for c in PRICE_COLUMNS),
        )

    def sorted(self) -> BarFrame:
        """Return the frame ordered by time (a no-op copy-free return when it already is)."""
        if len(self) < 2 or bool(np.all(self.ts[1:] > self.ts[:-1])):
            return self
        return self.take(np.argsort(self.ts, kind="stable"))

    def between(self, start_s: int | None, end_s: int | None) -> BarFrame:
        """Return the rows with ``start_s <= ts < end_s`` (either bound may be open)."""
        mask = np.ones(len(self), dtype=bool)
        if start_s is not None:
            mask &= self.ts >= start_s
        if end_s is not None:
            mask &= self.ts < end_s
        return self if bool(mask.all()) else self.take(mask)

    @staticmethod
    def concat(frames: Sequence[BarFrame]) -> BarFrame:
        """Join frames of one series end to end (no sorting, no de-duplication)."""
        if not frames:
            raise ValueError("nothing to concatenate")
        first = frames[0]
        return BarFrame(
            first.symbol,
            first.timeframe,
            np.concatenate([f.ts for f in frames]),
            *(np.concatenate([getattr(f, c) for f in frames]) for c in PRICE_COLUMNS),
        )

    @property
    def first_time(self) -> datetime | None:
        return datetime.fromtimestamp(int(self.ts[0]), tz=UTC) if len(self) else None

    @property
    def last_time(self) -> datetime | None:
        return datetime.fromtimestamp(int(self.ts[-1]), tz=UTC) if len(self) else None
