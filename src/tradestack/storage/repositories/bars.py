"""Bars: idempotent bulk insert and the reads charts, strategies and backfills need."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from tradestack.domain.bar_frame import BarFrame
from tradestack.domain.market import Bar
from tradestack.storage.repositories.bar_frames import insert_frame
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
    symbol: str, timeframe: str, *, limit: int, before: datetime | None = None
) -> Select[Any]:
    """The newest ``limit`` bars, newest first: a backward scan of the unique index."""
    query = select(bars).where(bars.c.symbol == symbol, bars.c.timeframe == timeframe)
    if before is not None:
        query = query.where(bars.c.ts < before)
    return query.order_by(bars.c.ts.desc()).limit(limit)


async def recent_bars(
    connection: AsyncConnection,
    symbol: str,
    timeframe: str,
    *,
    limit: int,
    before: datetime | None = None,
) -> list[Bar]:
    """Return the newest ``limit`` bars (opening before ``before``, if given), oldest first."""
    query = recent_bars_query(symbol, timeframe, limit=limit, before=before)
    rows = (await connection.execute(query)).all()
    return [_to_bar(row) for row in reversed(rows)]


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
    return int(result.rowcount or 0)


async def series_bounds(
    connection: AsyncConnection, symbol: str, timeframe: str
) -> tuple[datetime, datetime] | None:
    """Return the first and last stored open times of a series (two index probes), or None."""
    where = (bars.c.symbol == symbol, bars.c.timeframe == timeframe)
    first = (await connection.execute(select(func.min(bars.c.ts)).where(*where))).scalar_one()
    if first is None:
        return None
    last = (await connection.execute(select(func.max(bars.c.ts)).where(*where))).scalar_one()
    convert = bars.c.ts.type.process_result_value
    return convert(first, connection.dialect), convert(last, connection.dialect)
