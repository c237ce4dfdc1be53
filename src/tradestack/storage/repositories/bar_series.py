"""The ``bar_series`` catalogue: bounds and row count of each series, kept by every bar write.

It answers "what is stored" without scanning ``bars`` and gives reads a time
hint: "the latest 100 bars" becomes "the latest 100 bars after last_ts minus a
window", which PostgreSQL prunes to the newest partitions instead of opening
all of them. Writers outside tradestack do not update it, so it is a hint:
a stale row only makes a bounded query fall back to the unbounded one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from tradestack.domain.bar_frame import BarFrame
from tradestack.storage.database import insert_for
from tradestack.storage.tables import bar_series, bars


@dataclass(frozen=True, slots=True)
class SeriesBounds:
    symbol: str
    timeframe: str
    first_ts: datetime
    last_ts: datetime
    row_count: int


async def note_stored(connection: AsyncConnection, frame: BarFrame, stored: int) -> None:
    """Widen the series' bounds to the frame's and add ``stored`` to its row count."""
    if not stored:
        return
    first = datetime.fromtimestamp(int(frame.ts.min()), tz=UTC)
    last = datetime.fromtimestamp(int(frame.ts.max()), tz=UTC)
    postgres = connection.dialect.name == "postgresql"
    least, greatest = (func.least, func.greatest) if postgres else (func.min, func.max)
    insert = insert_for(connection, bar_series).values(
        symbol=frame.symbol,
        timeframe=frame.timeframe,
        first_ts=first,
        last_ts=last,
        row_count=stored,
    )
    await connection.execute(
        insert.on_conflict_do_update(
            index_elements=["symbol", "timeframe"],
            set_={
                "first_ts": least(bar_series.c.first_ts, insert.excluded.first_ts),
                "last_ts": greatest(bar_series.c.last_ts, insert.excluded.last_ts),
                "row_count": bar_series.c.row_count + insert.excluded.row_count,
            },
        )
    )


async def note_deleted(
    connection: AsyncConnection,
    symbol: str,
    timeframe: str,
    deleted: int,
    *,
    start: datetime,
    end: datetime,
) -> None:
    """Subtract rows deleted from ``[start, end)``; move ``first_ts`` on if the oldest went."""
    if not deleted:
        return
    known = await series_bounds_hint(connection, symbol, timeframe)
    if known is None:
        return
    key = (bar_series.c.symbol == symbol, bar_series.c.timeframe == timeframe)
    changes: dict[str, object] = {"row_count": bar_series.c.row_count - deleted}
    if known.first_ts >= start:
        where = (bars.c.symbol == symbol, bars.c.timeframe == timeframe, bars.c.ts >= end)
        following = (await connection.execute(select(func.min(bars.c.ts)).where(*where))).scalar()
        if following is None:
            await connection.execute(delete(bar_series).where(*key))
            return
        changes["first_ts"] = bars.c.ts.type.process_result_value(following, connection.dialect)
    await connection.execute(update(bar_series).where(*key).values(**changes))


async def series_bounds_hint(
    connection: AsyncConnection, symbol: str, timeframe: str
) -> SeriesBounds | None:
    query = select(bar_series).where(
        bar_series.c.symbol == symbol, bar_series.c.timeframe == timeframe
    )
    row = (await connection.execute(query)).first()
    return SeriesBounds(**row._asdict()) if row else None


async def series_catalog(connection: AsyncConnection) -> list[SeriesBounds]:
    rows = await connection.execute(select(bar_series).order_by(*bar_series.primary_key))
    return [SeriesBounds(**row._asdict()) for row in rows]
