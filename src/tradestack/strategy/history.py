"""Bounded rolling windows of OHLCV as numpy arrays, the history a v2 strategy sees.

A window keeps the newest ``size`` values in a buffer twice that long, so every
read is a contiguous read-only view (no copy) and every append is O(1)
amortised: when the buffer is full the newest ``size - 1`` values move to its
front once. Only closed bars are ever appended, so a strategy cannot see a bar
that has not happened yet.
"""

from __future__ import annotations

import numpy as np

from tradestack.domain.market import Bar

FIELDS = ("open", "high", "low", "close", "volume")


class RollingArray:
    """The newest ``size`` floats appended, oldest first."""

    __slots__ = ("_buffer", "_end", "_size")

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError(f"a history window needs at least one bar (got {size})")
        self._size = size
        self._buffer = np.full(2 * size, np.nan)
        self._end = 0

    def append(self, value: float) -> None:
        if self._end == self._buffer.shape[0]:
            keep = self._size - 1
            self._buffer[:keep] = self._buffer[self._end - keep : self._end]
            self._end = keep
        self._buffer[self._end] = value
        self._end += 1

    def __len__(self) -> int:
        return min(self._end, self._size)

    @property
    def size(self) -> int:
        return self._size

    def view(self) -> np.ndarray:
        """Return the window as a read-only array view, oldest first."""
        start = max(0, self._end - self._size)
        out = self._buffer[start : self._end]
        out.flags.writeable = False
        return out


class BarWindow:
    """The newest ``size`` bars of one symbol and timeframe, one RollingArray per field."""

    __slots__ = ("_arrays", "_times", "last_bar")

    def __init__(self, size: int) -> None:
        self._arrays = {name: RollingArray(size) for name in FIELDS}
        self._times = RollingArray(size)
        self.last_bar: Bar | None = None

    def append(self, bar: Bar) -> None:
        arrays = self._arrays
        arrays["open"].append(bar.open)
        arrays["high"].append(bar.high)
        arrays["low"].append(bar.low)
        arrays["close"].append(bar.close)
        arrays["volume"].append(bar.volume)
        self._times.append(bar.ts.timestamp())
        self.last_bar = bar

    def __len__(self) -> int:
        return len(self._times)

    @property
    def size(self) -> int:
        return self._times.size

    def field(self, name: str) -> np.ndarray:
        return self._arrays[name].view()

    @property
    def open(self) -> np.ndarray:
        return self._arrays["open"].view()

    @property
    def high(self) -> np.ndarray:
        return self._arrays["high"].view()

    @property
    def low(self) -> np.ndarray:
        return self._arrays["low"].view()

    @property
    def close(self) -> np.ndarray:
        return self._arrays["close"].view()

    @property
    def volume(self) -> np.ndarray:
        return self._arrays["volume"].view()

    @property
    def epochs(self) -> np.ndarray:
        """Bar open times in seconds since the epoch (UTC)."""
        return self._times.view()
