"""Performance figures as small pure functions, each checked against hand-worked numbers.

Money stays Decimal; ratios (win rate, Sharpe, drawdown share) are floats.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, datetime, tzinfo
from decimal import Decimal
from itertools import pairwise

from tradestack.domain.enums import OrderSide

ZERO = Decimal(0)


def win_rate(pnls: Sequence[Decimal]) -> float | None:
    """Share of trades with a positive PnL; None without trades."""
    if not pnls:
        return None
    return sum(1 for p in pnls if p > 0) / len(pnls)


def profit_factor(pnls: Sequence[Decimal]) -> float | None:
    """Gross profit over gross loss; None when there is no loss to divide by."""
    loss = -sum((p for p in pnls if p < 0), ZERO)
    if loss == 0:
        return None
    return float(sum((p for p in pnls if p > 0), ZERO) / loss)


def max_drawdown(equity: Sequence[Decimal]) -> tuple[Decimal, float]:
    """Largest fall from a running peak: (amount, share of that peak)."""
    peak: Decimal | None = None
    worst, worst_share = ZERO, 0.0
    for value in equity:
        if peak is None or value > peak:
            peak = value
        fall = peak - value
        if fall > worst:
            worst = fall
            worst_share = float(fall / peak) if peak > 0 else 0.0
    return worst, worst_share


def daily_closes(
    curve: Sequence[tuple[datetime, Decimal]], zone: tzinfo
) -> list[tuple[date, Decimal]]:
    """The last equity of each calendar day in ``zone``, oldest first."""
    closes: dict[date, Decimal] = {}
    for ts, equity in curve:
        closes[ts.astimezone(zone).date()] = equity
    return list(closes.items())


def returns(values: Sequence[Decimal]) -> list[float]:
    """Simple period returns ``v[i] / v[i-1] - 1``."""
    return [float(b / a - 1) for a, b in pairwise(values) if a != 0]


def sharpe_ratio(period_returns: Sequence[float], *, periods_per_year: int = 365) -> float | None:
    """Annualised Sharpe (risk-free 0): mean / sample standard deviation * sqrt(periods).

    Crypto trades every day, hence 365 daily periods by default. None with
    fewer than two returns or no variation.
    """
    n = len(period_returns)
    if n < 2:
        return None
    mean = sum(period_returns) / n
    variance = sum((r - mean) ** 2 for r in period_returns) / (n - 1)
    if variance <= 0:
        return None
    return mean / math.sqrt(variance) * math.sqrt(periods_per_year)


def exposure(
    intervals: Sequence[tuple[datetime, datetime | None]], start: datetime, end: datetime
) -> float:
    """Share of ``[start, end)`` covered by the in-market intervals (None end: still open)."""
    span = (end - start).total_seconds()
    if span <= 0:
        return 0.0
    covered = 0.0
    for opened, closed in intervals:
        low, high = max(opened, start), min(closed or end, end)
        if high > low:
            covered += (high - low).total_seconds()
    return min(covered / span, 1.0)


def slippage_bps(side: OrderSide, reference: Decimal, price: Decimal) -> float:
    """Cost of filling at ``price`` against ``reference``, in basis points (positive is worse).

    Buying above the reference or selling below it costs; the reverse earns.
    """
    if reference == 0:
        return 0.0
    return float((price - reference) / reference * side.sign * 10_000)
