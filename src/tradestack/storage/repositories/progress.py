"""Where each role of a trader got to: the last bar it finished, for exact resumption."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from tradestack.storage.database import upsert
from tradestack.storage.tables import trader_progress


async def save_progress(
    connection: AsyncConnection, trader_id: str, role: str, last_bar_ts: datetime
) -> None:
    row = {"trader_id": trader_id, "role": role, "last_bar_ts": last_bar_ts}
    await upsert(connection, trader_progress, [row], keys=["trader_id", "role"])


async def save_progress_many(
    connection: AsyncConnection, rows: Sequence[tuple[str, str, datetime]]
) -> None:
    """Upsert many ``(trader_id, role, last_bar_ts)`` rows in one statement."""
    if rows:
        values = [{"trader_id": t, "role": r, "last_bar_ts": ts} for t, r, ts in rows]
        await upsert(connection, trader_progress, values, keys=["trader_id", "role"])


async def load_progress(connection: AsyncConnection, trader_id: str, role: str) -> datetime | None:
    query = select(trader_progress.c.last_bar_ts).where(
        trader_progress.c.trader_id == trader_id, trader_progress.c.role == role
    )
    return (await connection.execute(query)).scalar_one_or_none()
