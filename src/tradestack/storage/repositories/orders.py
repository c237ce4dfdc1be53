"""Orders and fills: every order state change is an upsert; a fill is stored once per trade id."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from tradestack.domain.enums import OrderSide, OrderStatus, OrderType, PositionSide, TimeInForce
from tradestack.domain.orders import Fill, Order
from tradestack.storage.database import insert_for, upsert
from tradestack.storage.tables import fills, orders

_OPEN = [s.value for s in OrderStatus if s.is_open]


async def save_order(connection: AsyncConnection, order: Order) -> None:
    await upsert(connection, orders, [_order_row(order)], keys=["client_order_id"])


async def save_orders(connection: AsyncConnection, rows: Sequence[Order]) -> None:
    """Upsert many orders in one statement (the journal's group commit)."""
    if rows:
        await upsert(connection, orders, [_order_row(o) for o in rows], keys=["client_order_id"])


async def insert_fills(connection: AsyncConnection, rows: Sequence[Fill]) -> None:
    """Store many fills in one statement; trade ids already stored are skipped."""
    if not rows:
        return
    statement = insert_for(connection, fills).on_conflict_do_nothing(index_elements=["trade_id"])
    await connection.execute(statement, [_fill_row(f) for f in rows])


async def get_order(connection: AsyncConnection, client_order_id: str) -> Order | None:
    query = select(orders).where(orders.c.client_order_id == client_order_id)
    row = (await connection.execute(query)).first()
    return _to_order(row) if row is not None else None


async def list_orders(
    connection: AsyncConnection,
    *,
    trader_id: str | None = None,
    symbol: str | None = None,
    status: OrderStatus | None = None,
    open_only: bool = False,
    limit: int = 100,
    offset: int = 0,
) -> list[Order]:
    """Return orders newest first, filtered by whichever arguments are given."""
    query = select(orders)
    if trader_id is not None:
        query = query.where(orders.c.trader_id == trader_id)
    if symbol is not None:
        query = query.where(orders.c.symbol == symbol)
    if status is not None:
        query = query.where(orders.c.status == status.value)
    if open_only:
        query = query.where(orders.c.status.in_(_OPEN))
    query = query.order_by(orders.c.created_at.desc(), orders.c.client_order_id.desc())
    rows = (await connection.execute(query.limit(limit).offset(offset))).all()
    return [_to_order(row) for row in rows]


async def count_orders(
    connection: AsyncConnection, *, trader_id: str | None = None, status: OrderStatus | None = None
) -> int:
    query = select(func.count()).select_from(orders)
    if trader_id is not None:
        query = query.where(orders.c.trader_id == trader_id)
    if status is not None:
        query = query.where(orders.c.status == status.value)
    return int((await connection.execute(query)).scalar_one())


async def insert_fill(connection: AsyncConnection, fill: Fill) -> bool:
    """Store a fill; return False when its trade id was already stored (a duplicate report)."""
    statement = insert_for(connection, fills).on_conflict_do_nothing(index_elements=["trade_id"])
    result = await connection.execute(statement, _fill_row(fill))
    return bool(result.rowcount)


def _fill_row(fill: Fill) -> dict[str, object]:
    return {
        "trade_id": fill.trade_id,
        "client_order_id": fill.client_order_id,
        "trader_id": fill.trader_id,
        "symbol": fill.symbol,
        "side": fill.side.value,
        "quantity": fill.quantity,
        "price": fill.price,
        "fee": fill.fee,
        "fee_asset": fill.fee_asset,
        "liquidity": fill.liquidity,
        "position_side": fill.position_side.value,
        "ts": fill.ts,
    }


async def list_fills(
    connection: AsyncConnection,
    *,
    trader_id: str | None = None,
    symbol: str | None = None,
    side: OrderSide | None = None,
    client_order_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[Fill]:
    """Return fills newest first; ``since`` is inclusive, ``until`` exclusive."""
    query = select(fills).order_by(fills.c.ts.desc(), fills.c.trade_id.desc())
    for column, value in (
        (fills.c.trader_id, trader_id),
        (fills.c.symbol, symbol),
        (fills.c.side, side.value if side is not None else None),
        (fills.c.client_order_id, client_order_id),
    ):
        if value is not None:
            query = query.where(column == value)
    if since is not None:
        query = query.where(fills.c.ts >= since)
    if until is not None:
        query = query.where(fills.c.ts < until)
    query = query.limit(limit).offset(offset)
    return [fill_from_row(row) for row in (await connection.execute(query)).all()]


def fill_from_row(row: Any) -> Fill:
    return Fill(
        trade_id=row.trade_id,
        client_order_id=row.client_order_id,
        trader_id=row.trader_id,
        symbol=row.symbol,
        side=OrderSide(row.side),
        quantity=row.quantity,
        price=row.price,
        fee=row.fee,
        fee_asset=row.fee_asset,
        liquidity=row.liquidity,
        position_side=PositionSide(row.position_side),
        ts=row.ts,
    )


def _order_row(order: Order) -> dict[str, object]:
    return {
        "client_order_id": order.client_order_id,
        "trader_id": order.trader_id,
        "symbol": order.symbol,
        "side": order.side.value,
        "type": order.type.value,
        "time_in_force": order.time_in_force.value,
        "quantity": order.quantity,
        "price": order.price,
        "stop_price": order.stop_price,
        "trailing_amount": order.trailing_amount,
        "trailing_percent": order.trailing_percent,
        "reduce_only": order.reduce_only,
        "post_only": order.post_only,
        "position_side": order.position_side.value,
        "parent_order_id": order.parent_order_id,
        "oco_group": order.oco_group,
        "status": order.status.value,
        "filled_quantity": order.filled_quantity,
        "average_fill_price": order.average_fill_price,
        "venue_order_id": order.venue_order_id,
        "reason": order.reason,
        "trace_id": order.trace_id,
        "created_at": order.created_at,
        "updated_at": order.updated_at,
    }


def _to_order(row: object) -> Order:
    values = row._mapping  # type: ignore[attr-defined]
    return Order(
        client_order_id=values["client_order_id"],
        trader_id=values["trader_id"],
        symbol=values["symbol"],
        side=OrderSide(values["side"]),
        type=OrderType(values["type"]),
        time_in_force=TimeInForce(values["time_in_force"]),
        quantity=values["quantity"],
        price=values["price"],
        stop_price=values["stop_price"],
        trailing_amount=values["trailing_amount"],
        trailing_percent=values["trailing_percent"],
        reduce_only=bool(values["reduce_only"]),
        post_only=bool(values["post_only"]),
        position_side=PositionSide(values["position_side"]),
        parent_order_id=values["parent_order_id"],
        oco_group=values["oco_group"],
        status=OrderStatus(values["status"]),
        filled_quantity=values["filled_quantity"],
        average_fill_price=values["average_fill_price"],
        venue_order_id=values["venue_order_id"],
        reason=values["reason"],
        trace_id=values["trace_id"],
        created_at=values["created_at"],
        updated_at=values["updated_at"],
    )
