"""Take a backup: copy the database, fingerprint what was copied, write the manifest.

SQLite is copied with its online backup API and fingerprinted from the copy;
PostgreSQL is dumped by ``pg_dump`` inside an exported snapshot that the
fingerprinting transaction shares, so counts and digests describe exactly the
dumped data. Without ``pg_dump`` (or with ``portable=True``) every table is
streamed to a portable JSON-lines dump through SQLAlchemy.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncConnection

from tradestack import __version__
from tradestack.errors import BackupError
from tradestack.migrate.bulk_mode import collector_paused
from tradestack.migrate.fingerprint import TableFingerprint
from tradestack.migrate.manifest import BackupStore, FileEntry, Manifest, TableEntry, file_entry
from tradestack.migrate.snapshot import BATCH_ROWS, DatabaseState, missing_bars, read_state
from tradestack.storage import pg_tools, sqlite_files
from tradestack.storage.database import Database
from tradestack.storage.engine import describe_url
from tradestack.storage.inventory import consistent_read, data_tables, export_snapshot, stream_rows
from tradestack.storage.migrations import revision_of
from tradestack.storage.portable_dump import DumpWriter
from tradestack.storage.repositories.backups import BackupRecord, record_backup

logger = logging.getLogger(__name__)

SQLITE_FILE = "database.sqlite"
PG_DUMP_FILE = "database.pgdump"
TABLES_DIR = "tables"


async def create_backup(
    url: str, home: Path, *, reason: str = "manual", portable: bool = False
) -> Manifest:
    """Back up the database at ``url`` into ``home/backups/<id>/`` and record it there.

    Raises BackupError (nothing published) when the copy or the dump fails.
    """
    db = Database(url)
    store = BackupStore(home)
    backup_id = store.new_id()
    try:
        await db.check()
        staging = store.staging(backup_id)
        started = time.perf_counter()
        try:
            with collector_paused():
                kind, state, files, gaps = await _copy(db, staging, portable=portable)
            manifest = Manifest(
                backup_id=backup_id,
                created_at=datetime.now(UTC),
                format=kind,
                dialect=db.dialect,
                schema_revision=state.revision,
                tool_version=__version__,
                source_url=describe_url(url),
                reason=reason,
                seconds=round(time.perf_counter() - started, 3),
                tables=state.tables,
                files=files,
                missing_bars=gaps,
            )
            location = store.publish(staging, manifest)
        except BaseException:
            store.discard(staging)
            raise
        async with db.transaction() as connection:
            await record_backup(connection, record_of(manifest, location))
        return manifest
    finally:
        await db.dispose()


def record_of(manifest: Manifest, location: Path) -> BackupRecord:
    return BackupRecord(
        backup_id=manifest.backup_id,
        created_at=manifest.created_at,
        schema_revision=manifest.schema_revision,
        format=manifest.format,
        reason=manifest.reason,
        location=str(location),
        row_count=manifest.total_rows,
    )


Copied = tuple[DatabaseState, dict[str, FileEntry], dict[str, int]]


async def _copy(
    db: Database, staging: Path, *, portable: bool
) -> tuple[str, DatabaseState, dict[str, FileEntry], dict[str, int]]:
    if portable:
        return "portable", *await _portable(db, staging)
    if db.dialect == "sqlite":
        return "sqlite", *await _sqlite(db, staging)
    if pg_tools.available():
        try:
            return "pg_dump", *await _pg_dump(db, staging)
        except BackupError as error:
            if "version mismatch" not in str(error):
                raise
            logger.warning("pg_dump cannot dump this server (%s); writing a portable dump", error)
            (staging / PG_DUMP_FILE).unlink(missing_ok=True)
    return "portable", *await _portable(db, staging)


async def _sqlite(db: Database, staging: Path) -> Copied:
    target = staging / SQLITE_FILE
    await asyncio.to_thread(sqlite_files.copy_database, sqlite_files.database_path(db.url), target)
    engine = sqlite_files.readonly_engine(target)
    try:
        async with engine.connect() as connection:
            state = await read_state(connection)
            gaps = await missing_bars(connection)
    finally:
        await engine.dispose()
    return state, {SQLITE_FILE: await asyncio.to_thread(file_entry, target)}, gaps


async def _pg_dump(db: Database, staging: Path) -> Copied:
    target = staging / PG_DUMP_FILE
    async with consistent_read(db.engine) as connection:
        await pg_tools.dump(db.url, target, snapshot=await export_snapshot(connection))
        state = await read_state(connection)
        gaps = await missing_bars(connection)
    return state, {PG_DUMP_FILE: await asyncio.to_thread(file_entry, target)}, gaps


async def _portable(db: Database, staging: Path) -> Copied:
    (staging / TABLES_DIR).mkdir()
    tables: dict[str, TableEntry] = {}
    files: dict[str, FileEntry] = {}
    async with consistent_read(db.engine) as connection:
        for table in await data_tables(connection):
            name = f"{TABLES_DIR}/{table.name}.jsonl.gz"
            tables[table.name] = await _dump_table(connection, table, staging / name)
            files[name] = await asyncio.to_thread(file_entry, staging / name)
        revision = await revision_of(connection)
        gaps = await missing_bars(connection)
    return DatabaseState(revision=revision, tables=tables), files, gaps


async def _dump_table(connection: AsyncConnection, table: Table, path: Path) -> TableEntry:
    fingerprint = TableFingerprint.for_table(table)
    try:
        with DumpWriter(path, table) as writer:
            stream = stream_rows(connection, table, batch_rows=BATCH_ROWS, portable_order=True)
            async for batch in stream:
                fingerprint.add(batch)
                writer.write(batch)
    except (OSError, TypeError) as error:
        raise BackupError(f"cannot write the dump of table {table.name}: {error}") from None
    return TableEntry(rows=fingerprint.rows, digest=fingerprint.digest)
