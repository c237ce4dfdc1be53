"""Bars: idempotent bulk insert and the reads charts, strategies and backfills need."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, delete, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from tradestack.domain.bar_frame import BarFrame
from tradestack.domain.market import Bar
from tradestack.domain.timeframes import Timeframe
from tradestack.storage.repositories.bar_frames import insert_frame
from tradestack.storage.repositories.bar_series import note_deleted, series_bounds_hint
from tradestack.storage.tables import bars


async def insert_bars(connection: AsyncConnection, rows: Sequence[Bar], *, source: str) -> int:
    """Store bars, skipping any (symbol, timeframe, ts) already stored; return how many were new.

    Bars of several series may be mixed; each series goes through the bulk
    path of ``insert_frame``.
    """
    series: dict[tuple[str, str], list[Bar]] = {}
    for bar in rows:
        series.setdefault((bar.symbol, bar.timeframe), []).append(bar)
    stored = 0
    for bars_of_one in series.values():
        stored += await insert_frame(connection, BarFrame.from_bars(bars_of_one), source=source)
    return stored


async def count_bars(connection: AsyncConnection, symbol: str, timeframe: str) -> int:
    query = select(func.count()).where(bars.c.symbol == symbol, bars.c.timeframe == timeframe)
    return int((await connection.execute(query)).scalar_one())


async def last_bar_time(
    connection: AsyncConnection, symbol: str, timeframe: str
) -> datetime | None:
    query = select(func.max(bars.c.ts)).where(
        bars.c.symbol == symbol, bars.c.timeframe == timeframe
    )
    value = (await connection.execute(query)).scalar_one()
    return bars.c.ts.type.process_result_value(value, connection.dialect) if value else None


async def latest_close(connection: AsyncConnection, symbol: str) -> float | None:
    """Return the close of the newest stored bar of ``symbol`` in any timeframe."""
    query = select(bars.c.close).where(bars.c.symbol == symbol).order_by(bars.c.ts.desc()).limit(1)
    return (await connection.execute(query)).scalar_one_or_none()


def recent_bars_query(
    symbol: str,
    timeframe: str,
    *,
    limit: int,
    before: datetime | None = None,
    since: datetime | None = None,
) -> Select[Any]:
    """The newest ``limit`` bars, newest first: a backward scan of the unique index."""
    query = select(bars).where(bars.c.symbol == symbol, bars.c.timeframe == timeframe)
    if before is not None:
        query = query.where(bars.c.ts < before)
    if since is not None:
        query = query.where(bars.c.ts >= since)
    return query.order_by(bars.c.ts.desc()).limit(limit)


async def recent_bars(
    connection: AsyncConnection,
    symbol: str,
    timeframe: str,
    *,
    limit: int,
    before: datetime | None = None,
) -> list[Bar]:
    """Return the newest ``limit`` bars (opening before ``before``, if given), oldest first.

    On PostgreSQL the query is first bounded below by the series' last bar
    minus a window (``bar_series``), which prunes the partitioned table to its
    newest months; only if that finds too few bars does it ask unbounded.
    """
    rows: list[Any] = []
    for since in await _lower_bounds(connection, symbol, timeframe, limit, before):
        query = recent_bars_query(symbol, timeframe, limit=limit, before=before, since=since)
        rows = (await connection.execute(query)).all()
        if len(rows) >= limit:
            break
    return [_to_bar(row) for row in reversed(rows)]


async def _lower_bounds(
    connection: AsyncConnection, symbol: str, timeframe: str, limit: int, before: datetime | None
) -> list[datetime | None]:
    if connection.dialect.name != "postgresql" or limit <= 0:
        return [None]
    known = await series_bounds_hint(connection, symbol, timeframe)
    if known is None:
        return [None]
    newest = min(known.last_ts, before) if before else known.last_ts
    step = timedelta(seconds=Timeframe.parse(timeframe).seconds)
    return [newest - step * limit * 4, newest - step * limit * 64, None]


def bars_between_query(
    symbol: str, timeframe: str, *, start: datetime | None = None, end: datetime | None = None
) -> Select[Any]:
    """Bars with ``start <= ts < end``, oldest first: a range scan of the same index."""
    query = select(bars).where(bars.c.symbol == symbol, bars.c.timeframe == timeframe)
    if start is not None:
        query = query.where(bars.c.ts >= start)
    if end is not None:
        query = query.where(bars.c.ts < end)
    return query.order_by(bars.c.ts)


async def bars_between(
    connection: AsyncConnection,
    symbol: str,
    timeframe: str,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[Bar]:
    """Return bars with ``start <= ts < end``, oldest first."""
    query = bars_between_query(symbol, timeframe, start=start, end=end)
    return [_to_bar(row) for row in (await connection.execute(query)).all()]


async def stored_series(
    connection: AsyncConnection,
) -> list[tuple[str, str, int, datetime, datetime]]:
    """List (symbol, timeframe, count, first ts, last ts) of every stored series."""
    query = select(
        bars.c.symbol, bars.c.timeframe, func.count(), func.min(bars.c.ts), func.max(bars.c.ts)
    ).group_by(bars.c.symbol, bars.c.timeframe)
    out = []
    for symbol, timeframe, count, first, last in (await connection.execute(query)).all():
        convert = bars.c.ts.type.process_result_value
        out.append(
            (
                symbol,
                timeframe,
                int(count),
                convert(first, connection.dialect),
                convert(last, connection.dialect),
            )
        )
    return out


def _to_bar(row: object) -> Bar:
    return Bar(
        symbol=row.symbol,  # type: ignore[attr-defined]
        timeframe=row.timeframe,  # type: ignore[attr-defined]
        ts=row.ts,  # type: ignore[attr-defined]
        open=row.open,  # type: ignore[attr-defined]
        high=row.high,  # type: ignore[attr-defined]
        low=row.low,  # type: ignore[attr-defined]
        close=row.close,  # type: ignore[attr-defined]
        volume=row.volume,  # type: ignore[attr-defined]
    )


async def delete_bars_between(
    connection: AsyncConnection, symbol: str, timeframe: str, *, start: datetime, end: datetime
) -> int:
    """Delete bars with ``start <= ts < end``; return how many were deleted."""
    result = await connection.execute(
        delete(bars).where(
            bars.c.symbol == symbol,
            bars.c.timeframe == timeframe,
            bars.c.ts >= start,
            bars.c.ts < end,
        )
    )
    deleted = int(result.rowcount or 0)
    await note_deleted(connection, symbol, timeframe, deleted, start=start, end=end)
    return deleted


async def warm_up_bars(
    connection: AsyncConnection,
    symbol: str,
    timeframe: str,
    limit: int,
    finished: datetime | None,
) -> list[Bar]:
    """The ``limit`` bars a trader warms up on: the newest, or those up to ``finished``.

    A trader that recorded its last finished bar resumes after exactly that bar,
    so it warms up on the bars up to and including it, not on newer stored ones.
    """
    if finished is None:
        return await recent_bars(connection, symbol, timeframe, limit=limit)
    return await recent_bars(
        connection, symbol, timeframe, limit=limit, before=finished + timedelta(microseconds=1)
    )
