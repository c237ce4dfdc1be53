"""Performance metrics of a backtest, from its equity curve and trades (floats, vectorised).

Returns are per bar, annualised by the bars per year the data actually has
(about 252 for daily stock bars, 525,600 for 1m crypto bars); the risk-free
rate is zero. A ratio that has no meaning (no trades, no variance) is NaN.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any

import numpy as np

from tradestack.backtest.curve_stats import curve_stats
from tradestack.backtest.result import BacktestResult

_YEAR_S = 365.25 * 86400


@dataclass(frozen=True, slots=True)
class Metrics:
    bars: int
    starting_cash: float
    final_equity: float
    total_return_pct: float
    cagr_pct: float
    sharpe: float
    sortino: float
    max_drawdown_pct: float
    max_drawdown_duration: timedelta
    calmar: float
    trades: int
    win_rate_pct: float
    profit_factor: float
    expectancy: float
    expectancy_pct: float
    best_trade_pct: float
    worst_trade_pct: float
    avg_trade_pct: float
    exposure_pct: float
    fees: float

    def as_dict(self) -> dict[str, Any]:
        """Plain values; durations in seconds, NaN and infinities as None (JSON has neither)."""
        out: dict[str, Any] = {}
        for key, value in asdict(self).items():
            if isinstance(value, timedelta):
                out[key + "_s"] = value.total_seconds()
            elif isinstance(value, float) and not math.isfinite(value):
                out[key] = None
            else:
                out[key] = value
        return out


def compute(result: BacktestResult) -> Metrics:
    """Compute every metric of ``result``."""
    equity = result.equity
    cash = float(result.config.cash)
    traded = result.traded
    span_s = _span_seconds(traded.ts)
    years = span_s / _YEAR_S
    final = float(equity[-1])
    curve = np.concatenate(([cash], equity))
    per_year = len(equity) / years if years > 0 else math.nan
    mean, deviation, downside, deepest, peak, recovery = curve_stats(curve)
    stamps = np.concatenate((traded.ts[:1], traded.ts))
    duration = timedelta(
        microseconds=int((stamps[recovery] - stamps[peak]) / np.timedelta64(1, "us"))
    )
    max_dd = deepest * 100
    cagr = _cagr(cash, final, years)
    trade_returns = result.trade_arrays.return_pct
    pnl = result.trade_arrays.pnl
    wins, losses = pnl[pnl > 0].sum(), -pnl[pnl < 0].sum()
    count = len(pnl)
    return Metrics(
        bars=len(equity),
        starting_cash=cash,
        final_equity=final,
        total_return_pct=(final / cash - 1) * 100,
        cagr_pct=cagr,
        sharpe=_ratio(mean, deviation, per_year),
        sortino=_ratio(mean, downside, per_year),
        max_drawdown_pct=max_dd,
        max_drawdown_duration=duration,
        calmar=cagr / -max_dd if max_dd < 0 else math.nan,
        trades=count,
        win_rate_pct=float((pnl > 0).mean() * 100) if count else math.nan,
        profit_factor=float(wins / losses) if losses > 0 else (math.inf if wins > 0 else math.nan),
        expectancy=float(pnl.mean()) if count else math.nan,
        expectancy_pct=float(trade_returns.mean()) if count else math.nan,
        best_trade_pct=float(trade_returns.max()) if count else math.nan,
        worst_trade_pct=float(trade_returns.min()) if count else math.nan,
        avg_trade_pct=float(np.exp(np.log1p(trade_returns / 100).mean()) - 1) * 100
        if count and (trade_returns > -100).all()
        else math.nan,
        exposure_pct=float(np.count_nonzero(result.position) / len(equity) * 100),
        fees=float(result.fees),
    )


def _span_seconds(ts: np.ndarray) -> float:
    if len(ts) < 2:
        return 0.0
    step = (ts[-1] - ts[0]) / (len(ts) - 1)
    return float((ts[-1] - ts[0] + step) / np.timedelta64(1, "s"))


def _cagr(start: float, final: float, years: float) -> float:
    if years <= 0:
        return math.nan
    if final <= 0:
        return -100.0
    return float(((final / start) ** (1 / years) - 1) * 100)


def _ratio(mean: float, deviation: float, per_year: float) -> float:
    if not deviation or not math.isfinite(per_year):
        return math.nan
    return float(mean / deviation * math.sqrt(per_year))
