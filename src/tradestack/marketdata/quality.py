"""Quality checks on every batch of bars, vectorised: which rows are bad and why.

The pipeline stores only the accepted rows and reports the rejected ones by
reason (never dropping silently); file imports turn the same findings into
line-numbered errors and store nothing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from tradestack.domain.bar_frame import BarFrame
from tradestack.domain.timeframes import Timeframe

OK = 0
# Reason codes in the order they are checked: a row gets the first that applies.
NOT_FINITE = 1
NON_POSITIVE_PRICE = 2
HIGH_BELOW = 3
LOW_ABOVE = 4
NEGATIVE_VOLUME = 5
MISALIGNED = 6
DUPLICATE = 7

REASONS = {
    NOT_FINITE: "price or volume not finite",
    NON_POSITIVE_PRICE: "price not positive",
    HIGH_BELOW: "high below open, close or low",
    LOW_ABOVE: "low above open or close",
    NEGATIVE_VOLUME: "negative volume",
    MISALIGNED: "timestamp not aligned to the timeframe",
    DUPLICATE: "duplicate timestamp",
}


@dataclass(frozen=True, slots=True)
class QualityReport:
    """Rows that passed, and a count of the others per reason."""

    accepted: BarFrame
    rejected: Counter[str] = field(default_factory=Counter)

    @property
    def rejected_total(self) -> int:
        return sum(self.rejected.values())


def reason_codes(frame: BarFrame) -> np.ndarray:
    """Return one code per row: ``OK`` or the first rule the row breaks.

    Duplicates are judged within the frame: the first row of a timestamp
    passes, later ones are ``DUPLICATE``.
    """
    o, h, lo, c, v = frame.open, frame.high, frame.low, frame.close, frame.volume
    codes = np.zeros(len(frame), dtype=np.int8)
    step = Timeframe.parse(frame.timeframe).seconds
    with np.errstate(invalid="ignore"):
        rules = (
            (
                NOT_FINITE,
                ~(np.isfinite(o) & np.isfinite(h) & np.isfinite(lo) & np.isfinite(c))
                | ~np.isfinite(v),
            ),
            (NON_POSITIVE_PRICE, np.minimum(np.minimum(o, h), np.minimum(lo, c)) <= 0),
            (HIGH_BELOW, h < np.maximum(np.maximum(o, c), lo)),
            (LOW_ABOVE, lo > np.minimum(o, c)),
            (NEGATIVE_VOLUME, v < 0),
            (MISALIGNED, frame.ts % step != 0),
            (DUPLICATE, _duplicates(frame.ts)),
        )
    for code, broken in reversed(rules):
        codes[broken] = code
    return codes


def check_frame(frame: BarFrame) -> QualityReport:
    """Split ``frame`` into accepted rows and counts of rejected rows by reason."""
    codes = reason_codes(frame)
    bad = codes != OK
    if not bad.any():
        return QualityReport(frame)
    values, counts = np.unique(codes[bad], return_counts=True)
    rejected = Counter({REASONS[int(k)]: int(n) for k, n in zip(values, counts, strict=True)})
    return QualityReport(frame.take(~bad), rejected)


def describe_row(code: int, frame: BarFrame, row: int) -> str:
    """Say why row ``row`` failed, with its values, for line-numbered import errors."""
    if code == NOT_FINITE:
        return "a price or the volume is not finite"
    if code == NON_POSITIVE_PRICE:
        return "prices must be positive"
    if code == HIGH_BELOW:
        return f"high {frame.high[row]:g} is below open, close or low"
    if code == LOW_ABOVE:
        return f"low {frame.low[row]:g} is above open or close"
    if code == NEGATIVE_VOLUME:
        return f"volume {frame.volume[row]:g} is negative"
    when = frame.take(slice(row, row + 1)).first_time
    stamp = when.isoformat() if when else "?"
    if code == MISALIGNED:
        return f"timestamp {stamp} is not aligned to {frame.timeframe}"
    return f"duplicate timestamp {stamp}"


def _duplicates(ts: np.ndarray) -> np.ndarray:
    if len(ts) < 2:
        return np.zeros(len(ts), dtype=bool)
    if bool(np.all(ts[1:] > ts[:-1])):
        return np.zeros(len(ts), dtype=bool)
    order = np.argsort(ts, kind="stable")
    repeated = np.zeros(len(ts), dtype=bool)
    repeated[order[1:]] = ts[order[1:]] == ts[order[:-1]]
    return repeated
