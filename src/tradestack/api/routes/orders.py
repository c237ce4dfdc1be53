"""Orders: list with filters and pagination, inspect, submit (trader role) and cancel."""

from __future__ import annotations

from fastapi import APIRouter, Query, Response, status

from tradestack.api.deps import DatabaseDep, PlatformDep, ensure_accepting_work
from tradestack.api.errors import error_responses
from tradestack.api.schemas import OrderIn, OrderOut, OrderPage
from tradestack.api.security import TraderDep, ViewerDep, check_trader
from tradestack.domain.commands import SubmitOrder
from tradestack.domain.enums import OrderStatus
from tradestack.domain.orders import Order
from tradestack.domain.timeframes import symbol_from_path
from tradestack.errors import NotFoundError
from tradestack.execution.queries import find_order, find_orders

router = APIRouter(tags=["trading"])


def order_out(o: Order) -> OrderOut:
    return OrderOut(
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


@router.get("/orders", response_model=OrderPage, responses=error_responses(401, 403, 422, 429))
async def get_orders(
    db: DatabaseDep,
    _who: ViewerDep,
    trader_id: str | None = None,
    symbol: str | None = Query(None, description="BTC/USDT or BTC-USDT"),
    status: OrderStatus | None = None,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=1_000_000_000),  # a larger one overflows SQL integers
) -> OrderPage:
    """Orders of every trader, newest first."""
    found = await find_orders(
        db,
        trader_id=trader_id,
        symbol=symbol_from_path(symbol) if symbol else None,
        status=status,
        limit=limit,
        offset=offset,
    )
    return OrderPage(items=[order_out(o) for o in found], limit=limit, offset=offset)


@router.get(
    "/orders/{client_order_id}",
    response_model=OrderOut,
    responses=error_responses(401, 403, 404, 422, 429),
)
async def get_order(client_order_id: str, db: DatabaseDep, who: ViewerDep) -> OrderOut:
    order = await find_order(db, client_order_id)
    if order is None or not who.may_see(order.trader_id):
        raise NotFoundError(f"no order {client_order_id!r}")
    return order_out(order)


@router.post(
    "/orders",
    response_model=OrderOut,
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(400, 401, 403, 404, 409, 422, 429, 503),
)
async def submit_order(
    body: OrderIn, kernel: PlatformDep, who: TraderDep, response: Response
) -> OrderOut:
    """Place an order for a running trader (needs the trader role).

    The order goes through the trader's risk check, order manager and venue,
    exactly like the strategy's own orders. One the risk check refuses is
    still created: it comes back with status ``REJECTED`` and the reason.
    The trader must trade the order's symbol (400), exist (404) and run (409).
    A draining gateway, or an exec-risk service that does not answer, gives 503
    with ``Retry-After``.
    """
    ensure_accepting_work(kernel)
    check_trader(who, body.trader_id)
    command = SubmitOrder(
        trader_id=body.trader_id,
        symbol=symbol_from_path(body.symbol),
        side=body.side,
        quantity=body.quantity,
        type=body.type,
        price=body.price,
        stop_price=body.stop_price,
        trailing_amount=body.trailing_amount,
        trailing_percent=body.trailing_percent,
        time_in_force=body.time_in_force,
        reduce_only=body.reduce_only,
        post_only=body.post_only,
        position_side=body.position_side,
    )
    problem = command.problem()
    if problem is not None:
        raise ValueError(problem)
    order = await kernel.traders.submit_order(command)
    response.headers["Location"] = f"/api/v1/orders/{order.client_order_id}"
    return order_out(order)


@router.delete(
    "/orders/{client_order_id}",
    response_model=OrderOut,
    responses=error_responses(401, 403, 404, 409, 422, 429, 503),
)
async def cancel_order(
    client_order_id: str, kernel: PlatformDep, db: DatabaseDep, who: TraderDep
) -> OrderOut:
    """Cancel a working order (needs the trader role); 409 when it is no longer open."""
    ensure_accepting_work(kernel)
    if who.scoped:
        order = await find_order(db, client_order_id)
        if order is None or not who.may_see(order.trader_id):
            raise NotFoundError(f"no order {client_order_id!r}")
    return order_out(await kernel.traders.cancel_order(client_order_id))
