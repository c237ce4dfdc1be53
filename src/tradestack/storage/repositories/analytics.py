"""Reads for analytics, reports and the audit export, and stored performance windows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from tradestack.domain.orders import Fill
from tradestack.storage.database import upsert
from tradestack.storage.repositories.orders import fill_from_row
from tradestack.storage.tables import equity_snapshots, events, fills, model_performance, signals


async def fills_until(
    connection: AsyncConnection, trader_id: str, end: datetime | None = None
) -> list[Fill]:
    """Every fill of a trader before ``end``, oldest first (positions need the whole history)."""
    query = select(fills).where(fills.c.trader_id == trader_id)
    if end is not None:
        query = query.where(fills.c.ts < end)
    rows = (await connection.execute(query.order_by(fills.c.ts, fills.c.trade_id))).all()
    return [fill_from_row(row) for row in rows]


async def fills_between(
    connection: AsyncConnection, start: datetime | None, end: datetime | None
) -> list[Fill]:
    """Fills of every trader with ``start <= ts < end``, oldest first."""
    query = select(fills)
    if start is not None:
        query = query.where(fills.c.ts >= start)
    if end is not None:
        query = query.where(fills.c.ts < end)
    rows = (await connection.execute(query.order_by(fills.c.ts, fills.c.trade_id))).all()
    return [fill_from_row(row) for row in rows]


async def signal_prices(
    connection: AsyncConnection, trader_id: str, end: datetime | None = None
) -> dict[tuple[str, datetime], list[tuple[str, float]]]:
    """Return ``{(symbol, ts): [(side, price), ...]}`` of a trader's signals before ``end``."""
    query = select(signals.c.symbol, signals.c.ts, signals.c.side, signals.c.price).where(
        signals.c.trader_id == trader_id
    )
    if end is not None:
        query = query.where(signals.c.ts < end)
    out: dict[tuple[str, datetime], list[tuple[str, float]]] = {}
    for row in (await connection.execute(query)).all():
        out.setdefault((row.symbol, row.ts), []).append((row.side, row.price))
    return out


async def equity_between(
    connection: AsyncConnection, trader_id: str, start: datetime | None, end: datetime | None
) -> list[tuple[datetime, Any]]:
    """Snapshots with ``start <= ts < end``, oldest first, led by the last one before ``start``.

    The leading snapshot is the base that a window's PnL and returns start from.
    """
    base: list[tuple[datetime, Any]] = []
    query = select(equity_snapshots.c.ts, equity_snapshots.c.equity).where(
        equity_snapshots.c.trader_id == trader_id
    )
    if start is not None:
        before = query.where(equity_snapshots.c.ts < start)
        row = (await connection.execute(before.order_by(equity_snapshots.c.ts.desc()))).first()
        base = [(row.ts, row.equity)] if row is not None else []
        query = query.where(equity_snapshots.c.ts >= start)
    if end is not None:
        query = query.where(equity_snapshots.c.ts < end)
    rows = (await connection.execute(query.order_by(equity_snapshots.c.ts))).all()
    return base + [(row.ts, row.equity) for row in rows]


async def events_between(
    connection: AsyncConnection,
    start: datetime | None,
    end: datetime | None,
    *,
    prefixes: Sequence[str],
) -> list[Any]:
    """Stored events whose type starts with one of ``prefixes``, oldest first."""
    query = select(events)
    if start is not None:
        query = query.where(events.c.ts >= start)
    if end is not None:
        query = query.where(events.c.ts < end)
    if prefixes:
        query = query.where(or_(*(events.c.event_type.startswith(p) for p in prefixes)))
    return list((await connection.execute(query.order_by(events.c.ts, events.c.event_id))).all())


async def save_performance_window(connection: AsyncConnection, row: dict[str, Any]) -> None:
    """Store one window's figures, replacing an earlier computation of the same window."""
    await upsert(
        connection, model_performance, [row], keys=["scope", "name", "window_start", "window_end"]
    )


async def list_performance_windows(
    connection: AsyncConnection,
    *,
    scope: str | None = None,
    name: str | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Return stored windows, newest window first."""
    query = select(model_performance).order_by(
        model_performance.c.window_end.desc(), model_performance.c.name
    )
    if scope is not None:
        query = query.where(model_performance.c.scope == scope)
    if name is not None:
        query = query.where(model_performance.c.name == name)
    rows = (await connection.execute(query.limit(limit))).all()
    return [dict(row._mapping) for row in rows]
