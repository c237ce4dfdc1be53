"""Resampling bars to a longer timeframe (1m -> 5m, 1h, 1d) with correct OHLCV aggregation.

A target bar takes the first open, the highest high, the lowest low, the last
close and the summed volume of the source bars that open inside it. Buckets
are aligned to the epoch plus ``origin_s`` (use the negated UTC offset to cut
days at local midnight). ``complete_only`` drops buckets missing source bars,
which is what a 24/7 series wants; session markets keep their short buckets.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tradestack.domain.bar_frame import BarFrame
from tradestack.domain.timeframes import Timeframe


@dataclass(frozen=True, slots=True)
class Resampled:
    frame: BarFrame
    source_counts: np.ndarray


def resample(
    frame: BarFrame, target: str, *, origin_s: int = 0, complete_only: bool = False
) -> Resampled:
    """Aggregate ``frame`` (sorted by time) into ``target`` bars.

    Raises
    ------
    ValueError
        ``target`` is not a whole multiple of the frame's timeframe.
    """
    source = Timeframe.parse(frame.timeframe)
    goal = Timeframe.parse(target)
    if goal.seconds % source.seconds:
        raise ValueError(f"cannot resample {source} bars into {goal}: not a whole multiple")
    if not len(frame):
        return Resampled(BarFrame.empty(frame.symbol, goal.label), np.empty(0, dtype=np.int64))
    frame = frame.sorted()
    buckets = frame.ts - (frame.ts - origin_s) % goal.seconds
    starts = np.flatnonzero(np.concatenate([[True], buckets[1:] != buckets[:-1]]))
    ends = np.concatenate([starts[1:], [len(frame)]])
    counts = ends - starts
    out = BarFrame(
        frame.symbol,
        goal.label,
        buckets[starts],
        frame.open[starts],
        np.maximum.reduceat(frame.high, starts),
        np.minimum.reduceat(frame.low, starts),
        frame.close[ends - 1],
        np.add.reduceat(frame.volume, starts),
    )
    if complete_only:
        full = counts == goal.seconds // source.seconds
        return Resampled(out.take(full), counts[full])
    return Resampled(out, counts)
