"""BarSeries: bars of one symbol as numpy columns, the input both engines share.

Columns keep a million bars in about 50 MB; the event-driven engine builds one
``Bar`` at a time from them, so it never holds a million objects.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from tradestack.domain.market import Bar

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class BarSeries:
    """OHLCV columns of one symbol and timeframe; ``ts`` is ``datetime64[us]`` in UTC, ascending."""

    symbol: str
    timeframe: str
    ts: np.ndarray
    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    volume: np.ndarray

    def __len__(self) -> int:
        return len(self.close)

    @classmethod
    def from_arrays(
        cls,
        symbol: str,
        timeframe: str,
        ts: np.ndarray,
        columns: Sequence[np.ndarray],
    ) -> BarSeries:
        """Build from a timestamp column and (open, high, low, close, volume) columns."""
        opens, highs, lows, closes, volumes = (np.ascontiguousarray(c, np.float64) for c in columns)
        return cls(
            symbol, timeframe, ts.astype("datetime64[us]"), opens, highs, lows, closes, volumes
        )

    @classmethod
    def from_bars(cls, bars: Sequence[Bar]) -> BarSeries:
        if not bars:
            raise ValueError("no bars")
        micros = np.fromiter(
            ((b.ts - _EPOCH) // _MICROSECOND for b in bars), np.int64, count=len(bars)
        )
        columns = [
            np.fromiter((getattr(b, n) for b in bars), np.float64, len(bars)) for n in _OHLCV
        ]
        return cls.from_arrays(
            bars[0].symbol, bars[0].timeframe, micros.astype("datetime64[us]"), columns
        )

    def datetimes(self, start: int = 0, stop: int | None = None) -> list[datetime]:
        """Timestamps as aware UTC datetimes (epoch plus C-built timedeltas: the fast way)."""
        offsets = self.ts[start:stop].astype("int64").astype("timedelta64[us]").astype(object)
        return [_EPOCH + offset for offset in offsets.tolist()]

    def bars(self, start: int = 0, stop: int | None = None) -> Iterator[Bar]:
        """Yield ``Bar`` objects for indices ``start`` to ``stop``, built a chunk at a time."""
        symbol, timeframe = self.symbol, self.timeframe
        stop = len(self) if stop is None else stop
        for first in range(start, stop, _CHUNK):
            last = min(first + _CHUNK, stop)
            stamps = self.datetimes(first, last)
            columns = [c[first:last].tolist() for c in self._ohlcv()]
            for t, o, h, lo, c, v in zip(stamps, *columns, strict=True):
                yield Bar(symbol, timeframe, t, o, h, lo, c, v)

    def _ohlcv(self) -> tuple[np.ndarray, ...]:
        return (self.open, self.high, self.low, self.close, self.volume)

    def window(self, start: int, stop: int) -> BarSeries:
        """Return bars ``start`` to ``stop`` (exclusive) as views, not copies."""
        return BarSeries(
            self.symbol,
            self.timeframe,
            self.ts[start:stop],
            self.open[start:stop],
            self.high[start:stop],
            self.low[start:stop],
            self.close[start:stop],
            self.volume[start:stop],
        )

    def datetime_at(self, index: int) -> datetime:
        return to_datetime(self.ts[index])


_OHLCV = ("open", "high", "low", "close", "volume")
_CHUNK = 65_536
_MICROSECOND = np.timedelta64(1, "us").astype(object)


def to_datetime(value: np.datetime64) -> datetime:
    """Convert one ``datetime64`` to an aware UTC datetime."""
    naive: datetime = value.astype("datetime64[us]").astype(object)
    return naive.replace(tzinfo=UTC)
