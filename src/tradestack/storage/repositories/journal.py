"""Signals and the events audit trail, written in batches."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from tradestack.bus.codec import to_builtins
from tradestack.domain.events import Event
from tradestack.domain.signals import Signal
from tradestack.storage.database import insert_for
from tradestack.storage.tables import events, signals


async def insert_signals(connection: AsyncConnection, rows: Sequence[Signal]) -> None:
    if not rows:
        return
    await connection.execute(
        signals.insert(),
        [
            {
                "trader_id": s.trader_id,
                "strategy": s.strategy,
                "symbol": s.symbol,
                "side": s.side.value,
                "confidence": s.confidence,
                "price": s.price,
                "ts": s.ts,
            }
            for s in rows
        ],
    )


async def insert_events(connection: AsyncConnection, rows: Sequence[Event]) -> None:
    """Append events to the audit table; an event_id already stored is skipped (redelivery)."""
    if not rows:
        return
    statement = insert_for(connection, events).on_conflict_do_nothing(index_elements=["event_id"])
    await connection.execute(
        statement,
        [
            {
                "event_id": e.event_id,
                "event_type": e.event_type,
                "trace_id": e.trace_id,
                "source_service": e.source_service,
                "trader_id": e.trader_id,
                "ts": e.ts,
                "payload": to_builtins(e.payload),
            }
            for e in rows
        ],
    )


async def count_events(connection: AsyncConnection, event_type: str | None = None) -> int:
    query = select(func.count()).select_from(events)
    if event_type is not None:
        query = query.where(events.c.event_type == event_type)
    return int((await connection.execute(query)).scalar_one())
