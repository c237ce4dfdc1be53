"""Read-side orders and fills for the API and the CLI."""

from __future__ import annotations

from tradestack.domain.enums import OrderStatus
from tradestack.domain.orders import Fill, Order
from tradestack.storage.database import Database
from tradestack.storage.repositories.orders import list_fills, list_orders


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


async def find_fills(db: Database, *, trader_id: str | None = None, limit: int = 100) -> list[Fill]:
    async with db.read() as connection:
        return await list_fills(connection, trader_id=trader_id, limit=limit)
