"""Positions and balances of each trader."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from tradestack.domain.enums import PositionSide
from tradestack.domain.positions import Position
from tradestack.storage.database import upsert
from tradestack.storage.tables import balances, equity_snapshots, positions


async def save_position(connection: AsyncConnection, position: Position) -> None:
    await save_positions(connection, [position])


async def save_positions(connection: AsyncConnection, rows: Sequence[Position]) -> None:
    """Upsert many positions in one statement."""
    if not rows:
        return
    now = datetime.now(UTC)
    values = [_position_row(p, now) for p in rows]
    await upsert(connection, positions, values, keys=["trader_id", "symbol", "position_side"])


def _position_row(position: Position, now: datetime) -> dict[str, object]:
    return {
        "trader_id": position.trader_id,
        "symbol": position.symbol,
        "position_side": position.position_side.value,
        "quantity": position.quantity,
        "average_price": position.average_price,
        "realized_pnl": position.realized_pnl,
        "fees_paid": position.fees_paid,
        "last_price": position.last_price,
        "updated_at": position.updated_at or now,
    }


async def list_positions(
    connection: AsyncConnection, *, trader_id: str | None = None, open_only: bool = False
) -> list[Position]:
    query = select(positions).order_by(positions.c.trader_id, positions.c.symbol)
    if trader_id is not None:
        query = query.where(positions.c.trader_id == trader_id)
    out = [
        Position(
            trader_id=row.trader_id,
            symbol=row.symbol,
            position_side=PositionSide(row.position_side),
            quantity=row.quantity,
            average_price=row.average_price,
            realized_pnl=row.realized_pnl,
            fees_paid=row.fees_paid,
            last_price=row.last_price,
            updated_at=row.updated_at,
        )
        for row in (await connection.execute(query)).all()
    ]
    return [p for p in out if not p.is_flat] if open_only else out


async def save_balance(
    connection: AsyncConnection, trader_id: str, asset: str, *, free: Decimal, locked: Decimal
) -> None:
    row = {
        "trader_id": trader_id,
        "asset": asset,
        "free": free,
        "locked": locked,
        "updated_at": datetime.now(UTC),
    }
    await upsert(connection, balances, [row], keys=["trader_id", "asset"])


async def list_balances(
    connection: AsyncConnection, *, trader_id: str | None = None
) -> dict[str, dict[str, tuple[Decimal, Decimal]]]:
    """Return ``{trader_id: {asset: (free, locked)}}``."""
    query = select(balances)
    if trader_id is not None:
        query = query.where(balances.c.trader_id == trader_id)
    out: dict[str, dict[str, tuple[Decimal, Decimal]]] = {}
    for row in (await connection.execute(query)).all():
        out.setdefault(row.trader_id, {})[row.asset] = (row.free, row.locked)
    return out


async def save_balances(
    connection: AsyncConnection, rows: Sequence[tuple[str, str, Decimal]]
) -> None:
    """Upsert many ``(trader_id, asset, free)`` balances (nothing locked) in one statement."""
    if not rows:
        return
    now = datetime.now(UTC)
    values = [
        {"trader_id": t, "asset": a, "free": free, "locked": Decimal(0), "updated_at": now}
        for t, a, free in rows
    ]
    await upsert(connection, balances, values, keys=["trader_id", "asset"])


async def insert_equity_snapshots(
    connection: AsyncConnection, rows: Sequence[dict[str, object]]
) -> None:
    """Upsert many equity snapshot rows (trader_id, ts, equity, cash, realized/unrealized PnL)."""
    if rows:
        await upsert(connection, equity_snapshots, list(rows), keys=["trader_id", "ts"])


async def insert_equity_snapshot(
    connection: AsyncConnection,
    trader_id: str,
    ts: datetime,
    *,
    equity: Decimal,
    cash: Decimal,
    realized_pnl: Decimal,
    unrealized_pnl: Decimal,
) -> None:
    row = {
        "trader_id": trader_id,
        "ts": ts,
        "equity": equity,
        "cash": cash,
        "realized_pnl": realized_pnl,
        "unrealized_pnl": unrealized_pnl,
    }
    await upsert(connection, equity_snapshots, [row], keys=["trader_id", "ts"])


async def list_equity_snapshots(
    connection: AsyncConnection, trader_id: str, *, limit: int = 1000
) -> list[tuple[datetime, Decimal]]:
    """Return (ts, equity) pairs, oldest first, of the newest ``limit`` snapshots."""
    query = (
        select(equity_snapshots.c.ts, equity_snapshots.c.equity)
        .where(equity_snapshots.c.trader_id == trader_id)
        .order_by(equity_snapshots.c.ts.desc())
        .limit(limit)
    )
    return [(row.ts, row.equity) for row in reversed((await connection.execute(query)).all())]
