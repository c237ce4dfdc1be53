"""Compare two backtest results (usually event-driven vs vectorised) and list every difference.

Trades must match exactly: side, entry and exit bar, size and prices. Money
(trade PnL and fees, equity per bar, final equity) is compared to a relative
tolerance of 1e-9, because the vectorised engine works in floats and the
event-driven one in Decimal; differences beyond that are listed, equity ones
as runs of consecutive bars.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tradestack.backtest.result import BacktestResult
from tradestack.backtest.trades import Trade

RELATIVE_TOLERANCE = 1e-9


@dataclass(frozen=True, slots=True)
class Comparison:
    left: str
    right: str
    trades: tuple[int, int]
    max_equity_difference: float
    differences: list[str] = field(default_factory=list)

    @property
    def agree(self) -> bool:
        return not self.differences


def compare(left: BacktestResult, right: BacktestResult) -> Comparison:
    """List every difference between ``left`` and ``right`` beyond the tolerances above."""
    differences: list[str] = []
    a, b = left.trades, right.trades
    if len(a) != len(b):
        differences.append(f"trade count: {left.engine} {len(a)}, {right.engine} {len(b)}")
    for number, (x, y) in enumerate(zip(a, b, strict=False), start=1):
        differences.extend(_trade_differences(number, x, y, left.engine, right.engine))
    for number, extra in enumerate(a[len(b) :], start=len(b) + 1):
        differences.append(f"trade {number} only in {left.engine}: {_describe(extra)}")
    for number, extra in enumerate(b[len(a) :], start=len(a) + 1):
        differences.append(f"trade {number} only in {right.engine}: {_describe(extra)}")
    gap = np.abs(left.equity - right.equity) if len(left.equity) == len(right.equity) else None
    if gap is None:
        differences.append(f"equity length: {len(left.equity)} vs {len(right.equity)} bars")
        worst = float("nan")
    else:
        worst = float(gap.max())
        bad = gap > RELATIVE_TOLERANCE * np.maximum(np.abs(left.equity), 1.0)
        differences.extend(_equity_runs(bad, left, right))
    if not _close(float(left.final_equity), float(right.final_equity)):
        differences.append(
            f"final equity: {left.engine} {left.final_equity}, {right.engine} {right.final_equity}"
        )
    if not _close(float(left.fees), float(right.fees)):
        differences.append(f"fees: {left.engine} {left.fees}, {right.engine} {right.fees}")
    return Comparison(left.engine, right.engine, (len(a), len(b)), worst, differences)


def _trade_differences(number: int, x: Trade, y: Trade, left: str, right: str) -> list[str]:
    out = []
    for name in ("side", "entry_time", "exit_time", "size", "entry_price", "exit_price"):
        u, v = getattr(x, name), getattr(y, name)
        if u != v:
            out.append(f"trade {number} {name}: {left} {u}, {right} {v}")
    for name in ("pnl", "fees"):
        u, v = getattr(x, name), getattr(y, name)
        if not _close(float(u), float(v)):
            out.append(f"trade {number} {name}: {left} {u}, {right} {v}")
    return out


def _equity_runs(bad: np.ndarray, left: BacktestResult, right: BacktestResult) -> list[str]:
    if not bad.any():
        return []
    edges = np.flatnonzero(np.diff(np.r_[0, bad.astype(np.int8), 0]))
    out = []
    for start, stop in zip(edges[::2], edges[1::2], strict=True):
        gap = np.abs(left.equity[start:stop] - right.equity[start:stop])
        at = start + int(gap.argmax())
        where = f"bar {start}" if stop - start == 1 else f"bars {start}..{stop - 1}"
        out.append(
            f"equity at {where}: largest gap {float(gap.max()):.6g} at bar {at} "
            f"({left.engine} {left.equity[at]:.10g}, {right.engine} {right.equity[at]:.10g})"
        )
    return out


def _describe(trade: Trade) -> str:
    return (
        f"{trade.side} {trade.size} from {trade.entry_time.isoformat()} at {trade.entry_price} "
        f"to {trade.exit_time.isoformat()} at {trade.exit_price}"
    )


def _close(u: float, v: float) -> bool:
    return abs(u - v) <= RELATIVE_TOLERANCE * max(abs(u), abs(v), 1.0)
