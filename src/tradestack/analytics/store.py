"""Stored performance windows (``model_performance``): one row per scope, name and window."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tradestack.analytics.performance import Performance
from tradestack.bus.codec import to_builtins
from tradestack.storage.database import Database
from tradestack.storage.repositories.analytics import (
    list_performance_windows,
    save_performance_window,
)


def summary(perf: Performance) -> dict[str, Any]:
    """The figures of a window as JSON-ready data (curve and daily PnL left out)."""
    return {
        "scope": perf.scope,
        "name": perf.name,
        "strategy": perf.strategy,
        "start": perf.start.isoformat() if perf.start else None,
        "end": perf.end.isoformat(),
        "trades": perf.trades,
        "wins": perf.wins,
        "win_rate": perf.win_rate,
        "profit_factor": perf.profit_factor,
        "sharpe": perf.sharpe,
        "max_drawdown": str(perf.max_drawdown),
        "max_drawdown_pct": perf.max_drawdown_pct,
        "exposure_pct": perf.exposure_pct,
        "net_pnl": str(perf.net_pnl),
        "realized_pnl": str(perf.realized_pnl),
        "fees_paid": str(perf.fees_paid),
        "slippage_bps": perf.slippage_bps,
    }


async def store_performance(db: Database, perf: Performance) -> None:
    """Store (or replace) the window; a window with no start begins at its first equity."""
    start = perf.start or (perf.equity_curve[0][0] if perf.equity_curve else perf.end)
    row = {
        "scope": perf.scope,
        "name": perf.name,
        "strategy": perf.strategy,
        "window_start": start,
        "window_end": perf.end,
        "trades": perf.trades,
        "win_rate": perf.win_rate,
        "profit_factor": perf.profit_factor,
        "sharpe": perf.sharpe,
        "max_drawdown_pct": perf.max_drawdown_pct,
        "exposure_pct": perf.exposure_pct,
        "net_pnl": perf.net_pnl,
        "fees_paid": perf.fees_paid,
        "slippage_bps": perf.slippage_bps,
        "metrics": to_builtins(summary(perf)),
        "computed_at": datetime.now(UTC),
    }
    async with db.transaction() as connection:
        await save_performance_window(connection, row)


async def stored_windows(
    db: Database, *, scope: str | None = None, name: str | None = None, limit: int = 100
) -> list[dict[str, Any]]:
    async with db.read() as connection:
        return await list_performance_windows(connection, scope=scope, name=name, limit=limit)
