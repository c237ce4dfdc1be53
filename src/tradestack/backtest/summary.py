"""A run as plain data: the ``--json`` object scripts rely on, and the fuller record that is stored.

``--json`` keys are a stable interface: trades, final_equity, return_pct,
max_drawdown_pct, sharpe, sortino, win_rate_pct, profit_factor,
exposure_pct, trade_list. Money keeps its Decimal digits as JSON numbers.
"""

from __future__ import annotations

import math
from typing import Any

import msgspec
import numpy as np

from tradestack.backtest.metrics import Metrics
from tradestack.backtest.result import BacktestResult
from tradestack.backtest.trades import Trade

JSON_KEYS = (
    "trades",
    "final_equity",
    "return_pct",
    "max_drawdown_pct",
    "sharpe",
    "sortino",
    "win_rate_pct",
    "profit_factor",
    "exposure_pct",
    "trade_list",
)
_ENCODER = msgspec.json.Encoder(decimal_format="number")
EQUITY_POINTS = 1_000


def cli_json(result: BacktestResult, metrics: Metrics) -> dict[str, Any]:
    """The ``--json`` object: exactly ``JSON_KEYS``."""
    return {
        "trades": metrics.trades,
        "final_equity": result.final_equity,
        "return_pct": _number(metrics.total_return_pct),
        "max_drawdown_pct": _number(metrics.max_drawdown_pct),
        "sharpe": _number(metrics.sharpe),
        "sortino": _number(metrics.sortino),
        "win_rate_pct": _number(metrics.win_rate_pct),
        "profit_factor": _number(metrics.profit_factor),
        "exposure_pct": _number(metrics.exposure_pct),
        "trade_list": [trade_row(t) for t in result.trades],
    }


def trade_row(trade: Trade, *, full: bool = False) -> dict[str, Any]:
    """One trade for JSON; ``full`` adds side, fees and return (stored runs, the API)."""
    row: dict[str, Any] = {
        "entry_time": trade.entry_time.isoformat(),
        "exit_time": trade.exit_time.isoformat(),
        "entry_price": trade.entry_price,
        "exit_price": trade.exit_price,
        "size": trade.size,
        "pnl": trade.pnl,
    }
    if full:
        row.update(
            side=trade.side,
            fees=trade.fees,
            gross_pnl=trade.gross_pnl,
            return_pct=_number(trade.return_pct),
            duration_s=trade.duration.total_seconds(),
            exit_reason=trade.exit_reason,
        )
    return row


def equity_points(result: BacktestResult, points: int = EQUITY_POINTS) -> list[list[Any]]:
    """The equity curve thinned to about ``points`` [ISO time, equity] pairs, ends kept."""
    count = len(result.equity)
    picks = np.unique(np.linspace(0, count - 1, min(points, count)).round().astype(np.int64))
    stamps = result.traded.ts[picks].astype("datetime64[s]").astype(str)
    return [[f"{t}Z", float(result.equity[i])] for t, i in zip(stamps, picks, strict=True)]


def encode(value: Any) -> bytes:
    return _ENCODER.encode(value)


def _number(value: float) -> float | None:
    return value if math.isfinite(value) else None
