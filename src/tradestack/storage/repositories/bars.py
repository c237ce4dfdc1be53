"""Bars: idempotent bulk insert and the reads charts, strategies and backfills need."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from tradestack.domain.market import Bar
from tradestack.storage.database import insert_for
from tradestack.storage.tables import bars

_CHUNK = 5_000


async def insert_bars(connection: AsyncConnection, rows: Sequence[Bar], *, source: str) -> int:
    """Store bars, skipping any (symbol, timeframe, ts) already stored; return how many were new."""
    if not rows:
        return 0
    statement = insert_for(connection, bars).on_conflict_do_nothing(
        index_elements=["symbol", "timeframe", "ts"]
    )
    before = await count_bars(connection, rows[0].symbol, rows[0].timeframe)
    for start in range(0, len(rows), _CHUNK):
        chunk = rows[start : start + _CHUNK]
        await connection.execute(
            statement,
            [
                {
                    "symbol": b.symbol,
                    "timeframe": b.timeframe,
                    "ts": b.ts,
                    "open": b.open,
                    "high": b.high,
                    "low": b.low,
                    "close": b.close,
                    "volume": b.volume,
                    "source": source,
                }
                for b in chunk
            ],
        )
    return await count_bars(connection, rows[0].symbol, rows[0].timeframe) - before


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


async def recent_bars(
    connection: AsyncConnection, symbol: str, timeframe: str, *, limit: int
) -> list[Bar]:
    """Return the newest ``limit`` bars, oldest first."""
    query = (
        select(bars)
        .where(bars.c.symbol == symbol, bars.c.timeframe == timeframe)
        .order_by(bars.c.ts.desc())
        .limit(limit)
    )
    rows = (await connection.execute(query)).all()
    return [_to_bar(row) for row in reversed(rows)]


async def bars_between(
    connection: AsyncConnection,
    symbol: str,
    timeframe: str,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[Bar]:
    """Return bars with ``start <= ts < end``, oldest first."""
    query = select(bars).where(bars.c.symbol == symbol, bars.c.timeframe == timeframe)
    if start is not None:
        query = query.where(bars.c.ts >= start)
    if end is not None:
        query = query.where(bars.c.ts < end)
    rows = (await connection.execute(query.order_by(bars.c.ts))).all()
    return [_to_bar(row) for row in rows]


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
