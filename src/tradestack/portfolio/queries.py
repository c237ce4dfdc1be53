"""Read-side positions, marked to the newest stored price of their symbol."""

from __future__ import annotations

from collections import OrderedDict
from datetime import date, datetime
from decimal import Decimal

from tradestack.domain.positions import Position
from tradestack.storage.database import Database
from tradestack.storage.repositories.bars import latest_close
from tradestack.storage.repositories.portfolio import (
    list_balances,
    list_equity_snapshots,
    list_positions,
)


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


async def find_balances(
    db: Database, *, trader_id: str | None = None
) -> dict[str, dict[str, tuple[Decimal, Decimal]]]:
    """Return ``{trader_id: {asset: (free, locked)}}`` as last stored."""
    async with db.read() as connection:
        return await list_balances(connection, trader_id=trader_id)


async def equity_curve(
    db: Database, trader_id: str, *, limit: int = 10_000
) -> list[tuple[datetime, Decimal]]:
    """Return the stored equity snapshots of a trader, oldest first."""
    async with db.read() as connection:
        return await list_equity_snapshots(connection, trader_id, limit=limit)


def daily_pnl(curve: list[tuple[datetime, Decimal]]) -> list[tuple[date, Decimal]]:
    """PnL per UTC day: each day's last equity minus the previous day's last equity.

    The first day is measured from its first snapshot.
    """
    closes: OrderedDict[date, Decimal] = OrderedDict()
    opens: dict[date, Decimal] = {}
    for ts, equity in curve:
        day = ts.date()
        opens.setdefault(day, equity)
        closes[day] = equity
    out = []
    previous: Decimal | None = None
    for day, close in closes.items():
        out.append((day, close - (previous if previous is not None else opens[day])))
        previous = close
    return out
