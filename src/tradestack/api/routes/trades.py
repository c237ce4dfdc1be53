"""Trades: the fills of every trader, newest first, with filters and pagination."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Query

from tradestack.api.deps import DatabaseDep
from tradestack.api.errors import error_responses
from tradestack.api.schemas import FillOut, TradePage
from tradestack.domain.enums import OrderSide
from tradestack.domain.timeframes import symbol_from_path
from tradestack.execution.queries import find_fills

router = APIRouter(tags=["trading"])


@router.get("/trades", response_model=TradePage, responses=error_responses(401, 403, 422, 429))
async def get_trades(
    db: DatabaseDep,
    trader_id: str | None = None,
    symbol: str | None = Query(None, description="BTC/USDT or BTC-USDT"),
    side: OrderSide | None = None,
    client_order_id: str | None = Query(None, description="the fills of one order"),
    since: datetime | None = Query(None, description="inclusive, ISO 8601 (naive means UTC)"),
    until: datetime | None = Query(None, description="exclusive, ISO 8601 (naive means UTC)"),
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=1_000_000_000),  # a larger one overflows SQL integers
) -> TradePage:
    """Fills (executions) newest first."""
    found = await find_fills(
        db,
        trader_id=trader_id,
        symbol=symbol_from_path(symbol) if symbol else None,
        side=side,
        client_order_id=client_order_id,
        since=_utc(since),
        until=_utc(until),
        limit=limit,
        offset=offset,
    )
    items = [
        FillOut(
            trade_id=f.trade_id,
            client_order_id=f.client_order_id,
            trader_id=f.trader_id,
            symbol=f.symbol,
            side=f.side.value,
            quantity=f.quantity,
            price=f.price,
            fee=f.fee,
            fee_asset=f.fee_asset,
            liquidity=f.liquidity,
            position_side=f.position_side.value,
            ts=f.ts,
        )
        for f in found
    ]
    return TradePage(items=items, limit=limit, offset=offset)


def _utc(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)
