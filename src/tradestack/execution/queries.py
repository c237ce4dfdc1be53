"""Read-side orders and fills for the API and the CLI."""

from __future__ import annotations

from datetime import datetime

from tradestack.domain.enums import OrderSide, OrderStatus
from tradestack.domain.orders import Fill, Order
from tradestack.storage.database import Database
from tradestack.storage.repositories.orders import get_order, list_fills, list_orders


async def find_orders(
    db: Database,
    *,
    trader_id: str | None = None,
    symbol: str | None = None,
    status: OrderStatus | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[Order]:
    async with db.read() as connection:
        return await list_orders(
            connection,
            trader_id=trader_id,
            symbol=symbol,
            status=status,
            limit=limit,
            offset=offset,
        )


async def find_order(db: Database, client_order_id: str) -> Order | None:
    async with db.read() as connection:
        return await get_order(connection, client_order_id)


async def find_fills(
    db: Database,
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
    """Return fills (trades) newest first, filtered by whichever arguments are given."""
    async with db.read() as connection:
        return await list_fills(
            connection,
            trader_id=trader_id,
            symbol=symbol,
            side=side,
            client_order_id=client_order_id,
            since=since,
            until=until,
            limit=limit,
            offset=offset,
        )
