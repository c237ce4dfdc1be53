"""Ingest state and archive records: what the pipeline, the live gate and the archive remember."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncConnection

from tradestack.storage.database import upsert
from tradestack.storage.tables import bar_archives, ingest_state


@dataclass(frozen=True, slots=True)
class IngestState:
    """Progress of one (symbol, timeframe, source) backfill."""

    symbol: str
    timeframe: str
    source: str
    first_ts: datetime | None = None
    last_ts: datetime | None = None
    target_end: datetime | None = None
    complete: bool = False
    stored_total: int = 0
    rejected_total: int = 0
    last_rejects: Mapping[str, int] = field(default_factory=dict)
    last_error: str | None = None
    last_ingest_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ArchiveRecord:
    """One Parquet file of archived bars of one series."""

    symbol: str
    timeframe: str
    first_ts: datetime
    last_ts: datetime
    row_count: int
    checksum: str
    path: str
    archived_at: datetime


async def load_ingest_state(
    connection: AsyncConnection, symbol: str, timeframe: str, source: str
) -> IngestState | None:
    query = select(ingest_state).where(
        ingest_state.c.symbol == symbol,
        ingest_state.c.timeframe == timeframe,
        ingest_state.c.source == source,
    )
    row = (await connection.execute(query)).first()
    return IngestState(**row._asdict()) if row else None


async def ingest_states(
    connection: AsyncConnection, symbol: str | None = None, timeframe: str | None = None
) -> list[IngestState]:
    """Every recorded backfill, optionally of one symbol and timeframe."""
    query = select(ingest_state)
    if symbol is not None:
        query = query.where(ingest_state.c.symbol == symbol)
    if timeframe is not None:
        query = query.where(ingest_state.c.timeframe == timeframe)
    rows = (await connection.execute(query.order_by(*ingest_state.primary_key))).all()
    return [IngestState(**row._asdict()) for row in rows]


async def save_ingest_state(connection: AsyncConnection, state: IngestState) -> None:
    values = {name: getattr(state, name) for name in IngestState.__dataclass_fields__} | {
        "last_rejects": dict(state.last_rejects),
        "last_ingest_at": datetime.now(UTC),
    }
    await upsert(connection, ingest_state, [values], ["symbol", "timeframe", "source"])


async def save_archive_record(connection: AsyncConnection, record: ArchiveRecord) -> None:
    values = {name: getattr(record, name) for name in ArchiveRecord.__dataclass_fields__}
    await upsert(connection, bar_archives, [values], ["symbol", "timeframe", "first_ts"])


async def archive_records(
    connection: AsyncConnection, symbol: str | None = None, timeframe: str | None = None
) -> list[ArchiveRecord]:
    query = select(bar_archives)
    if symbol is not None:
        query = query.where(bar_archives.c.symbol == symbol)
    if timeframe is not None:
        query = query.where(bar_archives.c.timeframe == timeframe)
    rows = (await connection.execute(query.order_by(*bar_archives.primary_key))).all()
    return [ArchiveRecord(**row._asdict()) for row in rows]


async def drop_archive_record(connection: AsyncConnection, record: ArchiveRecord) -> None:
    await connection.execute(
        delete(bar_archives).where(
            bar_archives.c.symbol == record.symbol,
            bar_archives.c.timeframe == record.timeframe,
            bar_archives.c.first_ts == record.first_ts,
        )
    )
