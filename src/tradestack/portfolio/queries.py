"""Read-side positions, marked to the newest stored price of their symbol."""

from __future__ import annotations

from decimal import Decimal

from tradestack.domain.positions import Position
from tradestack.storage.database import Database
from tradestack.storage.repositories.bars import latest_close
from tradestack.storage.repositories.portfolio import list_positions


async def find_positions(
    db: Database, *, trader_id: str | None = None, open_only: bool = False
) -> list[Position]:
    async with db.read() as connection:
        found = await list_positions(connection, trader_id=trader_id, open_only=open_only)
        marks: dict[str, float | None] = {}
        for position in found:
            if position.symbol not in marks:
                marks[position.symbol] = await latest_close(connection, position.symbol)
            mark = marks[position.symbol]
            if mark is not None:
                position.last_price = Decimal(repr(mark))
    return found
