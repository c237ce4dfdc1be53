"""The assistant's SQL: pending confirmations, and reading one trace out of the events table."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from tradestack.storage.tables import assistant_confirmations, events

PENDING = "pending"


async def insert_confirmation(connection: AsyncConnection, row: dict[str, Any]) -> None:
    await connection.execute(assistant_confirmations.insert(), row)


async def get_confirmation(
    connection: AsyncConnection, confirmation_id: str
) -> dict[str, Any] | None:
    query = select(assistant_confirmations).where(
        assistant_confirmations.c.confirmation_id == confirmation_id
    )
    row = (await connection.execute(query)).first()
    return dict(row._mapping) if row is not None else None


async def list_confirmations(
    connection: AsyncConnection, *, status: str | None = None, limit: int = 50
) -> list[dict[str, Any]]:
    query = select(assistant_confirmations)
    if status is not None:
        query = query.where(assistant_confirmations.c.status == status)
    query = query.order_by(assistant_confirmations.c.created_at.desc()).limit(limit)
    return [dict(row._mapping) for row in (await connection.execute(query)).all()]


async def decide_confirmation(
    connection: AsyncConnection,
    confirmation_id: str,
    *,
    status: str,
    decided_by: str,
    decided_at: datetime,
) -> bool:
    """Move a pending confirmation to ``status``; False when it was no longer pending.

    The status check is in the UPDATE itself, so two people answering at once
    cannot both run the action.
    """
    statement = (
        update(assistant_confirmations)
        .where(
            assistant_confirmations.c.confirmation_id == confirmation_id,
            assistant_confirmations.c.status == PENDING,
        )
        .values(status=status, decided_by=decided_by, decided_at=decided_at)
    )
    return (await connection.execute(statement)).rowcount == 1


async def set_result(
    connection: AsyncConnection, confirmation_id: str, *, status: str, result: str
) -> None:
    await connection.execute(
        update(assistant_confirmations)
        .where(assistant_confirmations.c.confirmation_id == confirmation_id)
        .values(status=status, result=result)
    )


async def events_of_trace(
    connection: AsyncConnection, trace_id: str, *, limit: int = 200
) -> list[Any]:
    query = (
        select(events)
        .where(events.c.trace_id == trace_id)
        .order_by(events.c.ts, events.c.event_id)
        .limit(limit)
    )
    return list((await connection.execute(query)).all())


async def recent_order_events(
    connection: AsyncConnection, *, trader_id: str | None = None, limit: int = 5_000
) -> list[Any]:
    """The newest order events (for finding the trace of one order), newest first."""
    query = select(events).where(events.c.event_type.startswith("order."))
    if trader_id is not None:
        query = query.where(events.c.trader_id == trader_id)
    query = query.order_by(events.c.ts.desc()).limit(limit)
    return list((await connection.execute(query)).all())
