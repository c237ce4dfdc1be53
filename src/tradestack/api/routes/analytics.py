"""Analytics: performance per trader and per strategy, and stored performance windows."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from tradestack.analytics.performance import (
    Performance,
    strategy_performance,
    trader_performance,
)
from tradestack.analytics.results import (
    GroupFigures,
    load_trades,
    performance_by,
    profit_series,
)
from tradestack.analytics.store import stored_windows, summary
from tradestack.api.deps import DatabaseDep
from tradestack.api.schemas import ErrorResponse
from tradestack.display.records import figure_fields

router = APIRouter(prefix="/analytics", tags=["analytics"])


class EquityPoint(BaseModel):
    ts: datetime
    equity: Decimal


class DayPnl(BaseModel):
    day: date
    pnl: Decimal


class PerformanceOut(BaseModel):
    summary: dict[str, Any]
    equity_curve: list[EquityPoint]
    daily_pnl: list[DayPnl]


def performance_out(perf: Performance) -> PerformanceOut:
    return PerformanceOut(
        summary=summary(perf),
        equity_curve=[EquityPoint(ts=ts, equity=e) for ts, e in perf.equity_curve],
        daily_pnl=[DayPnl(day=d, pnl=p) for d, p in perf.daily_pnl],
    )


_WINDOW = {
    "start": Query(None, alias="from", description="window start (ISO 8601, UTC if naive)"),
    "end": Query(None, alias="to", description="window end, exclusive (default: now)"),
}


@router.get(
    "/traders/{trader_id}",
    response_model=PerformanceOut,
    responses={404: {"model": ErrorResponse, "description": "no such trader"}},
)
async def trader_analytics(
    trader_id: str,
    db: DatabaseDep,
    start: datetime | None = _WINDOW["start"],
    end: datetime | None = _WINDOW["end"],
) -> PerformanceOut:
    """Equity curve, daily PnL, win rate, profit factor, Sharpe, drawdown, exposure, fees and
    slippage of one trader."""
    return performance_out(
        await trader_performance(db, trader_id, start=_utc(start), end=_utc(end))
    )


@router.get("/strategies/{strategy}", response_model=PerformanceOut)
async def strategy_analytics(
    strategy: str,
    db: DatabaseDep,
    start: datetime | None = _WINDOW["start"],
    end: datetime | None = _WINDOW["end"],
) -> PerformanceOut:
    """The same figures pooled over every trader running ``strategy``."""
    return performance_out(
        await strategy_performance(db, strategy, start=_utc(start), end=_utc(end))
    )


class GroupOut(BaseModel):
    key: str
    trades: int
    wins: int
    win_rate: float | None
    profit_factor: float | None
    net_pnl: Decimal
    gross_pnl: Decimal
    fees: Decimal
    average_profit_pct: float | None
    average_duration_s: float | None
    display: dict[str, str]


def group_out(group: GroupFigures) -> GroupOut:
    return GroupOut(
        key=group.key,
        trades=group.trades,
        wins=group.wins,
        win_rate=group.win_rate,
        profit_factor=group.profit_factor,
        net_pnl=group.net_pnl,
        gross_pnl=group.gross_pnl,
        fees=group.fees,
        average_profit_pct=group.average_profit_pct,
        average_duration_s=group.average_duration_s,
        display=figure_fields(group),
    )


class PeriodOut(BaseModel):
    start: date
    trades: int
    net_pnl: Decimal
    gross_pnl: Decimal
    fees: Decimal


@router.get("/breakdown", response_model=list[GroupOut])
async def breakdown(
    db: DatabaseDep,
    by: Literal["symbol", "strategy", "trader"] = Query("symbol"),
) -> list[GroupOut]:
    """Closed-trade figures per symbol, per strategy or per trader, best net PnL first."""
    return [group_out(g) for g in await performance_by(db, by)]


@router.get("/profit", response_model=list[PeriodOut])
async def profit(
    db: DatabaseDep,
    period: Literal["day", "week", "month"] = Query("day"),
    trader_id: str | None = None,
) -> list[PeriodOut]:
    """Realised profit (net, gross, fees) per day, week or month, by exit time, in UTC."""
    trades = await load_trades(db, trader_id=trader_id)
    return [
        PeriodOut(
            start=p.start, trades=p.trades, net_pnl=p.net_pnl, gross_pnl=p.gross_pnl, fees=p.fees
        )
        for p in profit_series(trades, period)
    ]


@router.get("/performance", response_model=list[dict[str, Any]])
async def performance_windows(
    db: DatabaseDep,
    scope: str | None = Query(None, description="trader or strategy"),
    name: str | None = None,
    limit: int = Query(100, ge=1, le=10_000),
) -> list[dict[str, Any]]:
    """Stored performance windows (``model_performance``), newest first."""
    rows = await stored_windows(db, scope=scope, name=name, limit=limit)
    return [{k: str(v) if isinstance(v, Decimal) else v for k, v in row.items()} for row in rows]


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value
