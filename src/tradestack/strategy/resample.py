"""Higher-timeframe bars built from the base series inside the strategy, never from outside.

A higher bar is emitted only when the base bar that closes its bucket has
closed, so a strategy sees a 1h bar at 10:59 on 1m bars (the bar opened at
10:00), never a half-built one. Buckets are aligned to the epoch, as the
market-data pipeline aligns its own resampled bars; a bucket the data joined
halfway is dropped, so a re-warm from any start gives the same higher bars.
"""

from __future__ import annotations

from datetime import datetime

from tradestack.domain.market import Bar
from tradestack.domain.timeframes import Timeframe


class Resampler:
    """Aggregate base bars of one symbol into ``target`` bars."""

    __slots__ = (
        "_base",
        "_bucket",
        "_close",
        "_high",
        "_low",
        "_open",
        "_target",
        "_volume",
        "_whole",
    )

    def __init__(self, base: Timeframe, target: Timeframe) -> None:
        if target.seconds % base.seconds or target.seconds <= base.seconds:
            raise ValueError(
                f"timeframe {target.label} is not a multiple of the base timeframe {base.label}"
            )
        self._base = base
        self._target = target
        self._bucket: datetime | None = None
        self._whole = False
        self._open = self._high = self._low = self._close = self._volume = 0.0

    def add(self, bar: Bar) -> Bar | None:
        """Fold ``bar`` in; return the higher bar it completes, if any."""
        bucket = self._target.floor(bar.ts)
        if bucket != self._bucket:
            self._bucket = bucket
            self._whole = bar.ts == bucket  # a bucket joined halfway is never emitted
            self._open, self._high, self._low = bar.open, bar.high, bar.low
            self._volume = 0.0
        else:
            self._high = max(self._high, bar.high)
            self._low = min(self._low, bar.low)
        self._close = bar.close
        self._volume += bar.volume
        closes_bucket = (bar.ts.timestamp() + self._base.seconds) % self._target.seconds == 0
        if not closes_bucket or not self._whole:
            return None
        return Bar(
            bar.symbol,
            self._target.label,
            bucket,
            self._open,
            self._high,
            self._low,
            self._close,
            self._volume,
        )
