"""Orders of every trader, newest first, with filters and pagination."""

from __future__ import annotations

from fastapi import APIRouter, Query

from tradestack.api.deps import DatabaseDep
from tradestack.api.schemas import OrderOut, OrderPage
from tradestack.domain.enums import OrderStatus
from tradestack.domain.timeframes import symbol_from_path
from tradestack.execution.queries import find_orders

router = APIRouter(tags=["trading"])


@router.get("/orders", response_model=OrderPage)
async def get_orders(
    db: DatabaseDep,
    trader_id: str | None = None,
    symbol: str | None = Query(None, description="BTC/USDT or BTC-USDT"),
    status: OrderStatus | None = None,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
) -> OrderPage:
    found = await find_orders(
        db,
        trader_id=trader_id,
        symbol=symbol_from_path(symbol) if symbol else None,
        status=status,
        limit=limit,
        offset=offset,
    )
    items = [
        OrderOut(
            client_order_id=o.client_order_id,
            trader_id=o.trader_id,
            symbol=o.symbol,
            side=o.side.value,
            type=o.type.value,
            time_in_force=o.time_in_force.value,
            quantity=o.quantity,
            price=o.price,
            status=o.status.value,
            filled_quantity=o.filled_quantity,
            average_fill_price=o.average_fill_price,
            venue_order_id=o.venue_order_id,
            reason=o.reason,
            created_at=o.created_at,
            updated_at=o.updated_at,
        )
        for o in found
    ]
    return OrderPage(items=items, limit=limit, offset=offset)
