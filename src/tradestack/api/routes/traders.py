"""Traders: list, create, inspect, start, stop, emergency-stop and delete."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, Field

from tradestack.api.deps import ActorDep, PlatformDep
from tradestack.api.errors import error_responses
from tradestack.api.security import AdminDep, ViewerDep, check_trader
from tradestack.compliance.actions import record_manual_action
from tradestack.errors import NotFoundError
from tradestack.portfolio.queries import daily_pnl, equity_curve
from tradestack.traders.spec import ACTIVE, STOPPED, TraderSpec

router = APIRouter(prefix="/traders", tags=["traders"])
_READ_ERRORS = error_responses(401, 403, 404, 422, 429)
_ERRORS = error_responses(400, 401, 403, 404, 409, 422, 429)


class TraderIn(BaseModel):
    trader_id: str = Field(description="unique name: letters, digits, '.', '_' or '-'")
    strategy: str = "sma_cross"
    params: dict[str, Any] = Field(default_factory=dict)
    symbol: str = "BTC/USDT"
    timeframe: str = "1m"
    account_id: str = "default"
    starting_cash: Decimal = Decimal(10_000)
    risk: dict[str, Any] = Field(default_factory=dict)
    paper: dict[str, Any] = Field(default_factory=dict)
    start: bool = True


class TraderOut(BaseModel):
    trader_id: str
    status: str
    strategy: str
    params: dict[str, Any]
    symbol: str
    timeframe: str
    account_id: str
    runtime: dict[str, Any] | None = Field(description="live figures while it runs")


class EquityPoint(BaseModel):
    ts: datetime
    equity: Decimal


class DailyPnl(BaseModel):
    day: date
    pnl: Decimal


class EquityOut(BaseModel):
    trader_id: str
    curve: list[EquityPoint]
    daily_pnl: list[DailyPnl]


class EmergencyStopOut(BaseModel):
    trader_id: str
    canceled_orders: int
    flatten: bool


def _out(spec: TraderSpec, runtime: dict[str, Any] | None) -> TraderOut:
    return TraderOut(
        trader_id=spec.trader_id,
        status=spec.status,
        strategy=spec.strategy,
        params=spec.params,
        symbol=spec.symbol,
        timeframe=spec.timeframe,
        account_id=spec.account_id,
        runtime=runtime,
    )


async def _find(kernel: Any, trader_id: str) -> TraderOut:
    for spec in await kernel.traders.specs():
        if spec.trader_id == trader_id:
            return _out(spec, (await kernel.traders.summaries()).get(trader_id))
    raise NotFoundError(f"no trader named {trader_id!r}")


@router.get("", response_model=list[TraderOut], responses=error_responses(401, 403, 429))
async def list_traders(kernel: PlatformDep, who: ViewerDep) -> list[TraderOut]:
    running = await kernel.traders.summaries()
    return [
        _out(spec, running.get(spec.trader_id))
        for spec in await kernel.traders.specs()
        if who.may_see(spec.trader_id)
    ]


@router.post("", response_model=TraderOut, status_code=status.HTTP_201_CREATED, responses=_ERRORS)
async def create_trader(
    body: TraderIn, kernel: PlatformDep, who: AdminDep, actor: ActorDep
) -> TraderOut:
    """Store a trader and start it unless ``start`` is false (needs the admin role)."""
    check_trader(who, body.trader_id)
    spec = TraderSpec(
        trader_id=body.trader_id,
        strategy=body.strategy,
        params=body.params,
        symbol=body.symbol,
        timeframe=body.timeframe,
        account_id=body.account_id,
        starting_cash=body.starting_cash,
        risk=body.risk,
        paper=body.paper,
        status=ACTIVE if body.start else STOPPED,
    )
    await kernel.traders.add(spec)
    await _record(kernel, actor, "trader.add", spec.trader_id, body.model_dump(mode="json"))
    return await _find(kernel, spec.trader_id)


@router.get("/{trader_id}", response_model=TraderOut, responses=_READ_ERRORS)
async def get_trader(trader_id: str, kernel: PlatformDep, _who: ViewerDep) -> TraderOut:
    return await _find(kernel, trader_id)


@router.get("/{trader_id}/equity", response_model=EquityOut, responses=_READ_ERRORS)
async def get_equity(
    trader_id: str,
    kernel: PlatformDep,
    _who: ViewerDep,
    limit: int = Query(1000, ge=1, le=100_000),
) -> EquityOut:
    """Equity snapshots (every ``run.equity_snapshot_every_s`` of bar time) and daily PnL."""
    await _find(kernel, trader_id)
    curve = await equity_curve(kernel.db, trader_id, limit=limit)
    return EquityOut(
        trader_id=trader_id,
        curve=[EquityPoint(ts=ts, equity=equity) for ts, equity in curve],
        daily_pnl=[DailyPnl(day=day, pnl=pnl) for day, pnl in daily_pnl(curve)],
    )


@router.post("/{trader_id}/start", response_model=TraderOut, responses=_ERRORS)
async def start_trader(
    trader_id: str, kernel: PlatformDep, _who: AdminDep, actor: ActorDep
) -> TraderOut:
    """Mark the trader active and run it; also lifts a halt (admin role)."""
    await kernel.traders.start_trader(trader_id)
    await _record(kernel, actor, "trader.start", trader_id)
    return await _find(kernel, trader_id)


@router.post("/{trader_id}/stop", response_model=TraderOut, responses=_ERRORS)
async def stop_trader(
    trader_id: str, kernel: PlatformDep, _who: AdminDep, actor: ActorDep
) -> TraderOut:
    """Stop the trader; its working orders and positions stay as they are (admin role)."""
    await kernel.traders.stop_trader(trader_id)
    await _record(kernel, actor, "trader.stop", trader_id)
    return await _find(kernel, trader_id)


@router.post("/{trader_id}/emergency-stop", response_model=EmergencyStopOut, responses=_ERRORS)
async def emergency_stop(
    trader_id: str,
    kernel: PlatformDep,
    _who: AdminDep,
    actor: ActorDep,
    flatten: bool = Query(False, description="also close every open position"),
) -> EmergencyStopOut:
    """Kill switch: cancel the trader's open orders and halt it; optionally flatten (admin)."""
    canceled = await kernel.traders.emergency_stop(trader_id, flatten=flatten)
    details = {"flatten": flatten, "canceled_orders": canceled}
    await _record(kernel, actor, "trader.emergency_stop", trader_id, details)
    return EmergencyStopOut(trader_id=trader_id, canceled_orders=canceled, flatten=flatten)


@router.delete("/{trader_id}", status_code=status.HTTP_204_NO_CONTENT, responses=_ERRORS)
async def delete_trader(
    trader_id: str, kernel: PlatformDep, _who: AdminDep, actor: ActorDep
) -> None:
    """Delete a stopped trader's definition; its history stays (admin role)."""
    await kernel.traders.remove(trader_id)
    await _record(kernel, actor, "trader.remove", trader_id)


async def _record(
    kernel: Any, actor: str, action: str, trader_id: str, details: dict[str, Any] | None = None
) -> None:
    await record_manual_action(
        kernel.db, actor=actor, action=action, target=trader_id, details=details, source="api"
    )
