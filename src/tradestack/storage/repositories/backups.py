"""The ``schema_backups`` record: which backups were taken of this database, and restored."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from tradestack.storage.database import upsert
from tradestack.storage.inventory import table_names
from tradestack.storage.tables import schema_backups


@dataclass(frozen=True, slots=True)
class BackupRecord:
    backup_id: str
    created_at: datetime
    schema_revision: str | None
    format: str
    reason: str
    location: str
    row_count: int
    restored_at: datetime | None = None


async def has_backup_table(connection: AsyncConnection) -> bool:
    """Tell whether the schema is new enough (0002+) to hold the record."""
    return schema_backups.name in await table_names(connection)


async def record_backup(connection: AsyncConnection, record: BackupRecord) -> bool:
    """Store (or refresh) a record; return False when the schema has no such table yet."""
    if not await has_backup_table(connection):
        return False
    row = {
        "backup_id": record.backup_id,
        "created_at": record.created_at,
        "schema_revision": record.schema_revision,
        "format": record.format,
        "reason": record.reason,
        "location": record.location,
        "row_count": record.row_count,
        "restored_at": record.restored_at,
    }
    await upsert(connection, schema_backups, [row], keys=["backup_id"])
    return True


async def mark_restored(connection: AsyncConnection, record: BackupRecord) -> bool:
    """Record that ``record``'s backup was just restored into this database."""
    return await record_backup(connection, replace(record, restored_at=datetime.now(UTC)))


async def recorded_backups(connection: AsyncConnection) -> list[BackupRecord]:
    """Return the recorded backups, newest first ([] before revision 0002)."""
    if not await has_backup_table(connection):
        return []
    query = select(schema_backups).order_by(schema_backups.c.created_at.desc())
    return [BackupRecord(**row._asdict()) for row in (await connection.execute(query)).all()]
