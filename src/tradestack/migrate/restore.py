"""Verify a backup against its manifest, and restore it, proving the result matches.

A backup that fails any check is never restored. After a restore every data
table is read again and its count and digest compared with the manifest.
"""

from __future__ import annotations

import asyncio
import gzip
import logging
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncConnection

from tradestack.errors import BackupCorruptError, BackupError
from tradestack.migrate.backup import PG_DUMP_FILE, SQLITE_FILE, create_backup, record_of
from tradestack.migrate.bulk_mode import collector_paused
from tradestack.migrate.manifest import BackupStore, Manifest, file_entry
from tradestack.migrate.snapshot import BATCH_ROWS, DatabaseState, differences, read_state
from tradestack.storage import bulk, migrations, pg_tools, sqlite_files
from tradestack.storage.database import Database
from tradestack.storage.inventory import VERSION_TABLE, data_tables
from tradestack.storage.portable_dump import read_rows
from tradestack.storage.repositories.backups import mark_restored

logger = logging.getLogger(__name__)


@dataclass
class Verification:
    backup_id: str
    checks: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


async def verify_backup(home: Path, backup_id: str) -> Verification:
    """Check a backup's manifest, file checksums and (where readable) its contents."""
    result = Verification(backup_id)
    try:
        manifest = BackupStore(home).load(backup_id)
    except BackupCorruptError as error:
        result.problems.append(str(error))
        return result
    result.checks.append("manifest checksum")
    folder = BackupStore(home).path(backup_id)
    for name, expected in manifest.files.items():
        path = folder / name
        if not path.exists():
            result.problems.append(f"file {name} is missing")
        elif await asyncio.to_thread(file_entry, path) != expected:
            result.problems.append(f"file {name} fails its sha256 checksum")
    result.checks.append(f"sha256 of {len(manifest.files)} file(s)")
    if result.ok:
        with collector_paused():
            await _verify_contents(manifest, folder, result)
    return result


async def _verify_contents(manifest: Manifest, folder: Path, result: Verification) -> None:
    if manifest.format == "sqlite":
        problems = await asyncio.to_thread(sqlite_files.integrity_problems, folder / SQLITE_FILE)
        result.problems.extend(f"integrity check: {p}" for p in problems[:5])
        result.checks.append("SQLite integrity check")
        if not problems:
            engine = sqlite_files.readonly_engine(folder / SQLITE_FILE)
            try:
                async with engine.connect() as connection:
                    state = await read_state(connection)
            finally:
                await engine.dispose()
            result.problems.extend(differences(_expected(manifest), state))
            result.checks.append("row counts and digests of every table")
    elif manifest.format == "pg_dump" and pg_tools.available():
        try:
            await pg_tools.list_contents(folder / PG_DUMP_FILE)
            result.checks.append("pg_restore can read the archive")
        except BackupError as error:
            result.problems.append(str(error))
    elif manifest.format == "portable":
        for table, entry in manifest.tables.items():
            rows = await asyncio.to_thread(_count_lines, folder / f"tables/{table}.jsonl.gz")
            if rows != entry.rows:
                result.problems.append(f"dump of {table} holds {rows} rows, manifest {entry.rows}")
        result.checks.append("row counts of every table")


def _count_lines(path: Path) -> int:
    try:
        with gzip.open(path, "rb") as source:
            return sum(1 for _ in source) - 1
    except (OSError, EOFError):
        return -1


def _expected(manifest: Manifest) -> DatabaseState:
    return DatabaseState(revision=manifest.schema_revision, tables=manifest.tables)


async def restore_backup(
    url: str, home: Path, backup_id: str, *, safety_backup: bool = True
) -> Manifest | None:
    """Replace the database at ``url`` with backup ``backup_id``; return the safety backup.

    Refuses (BackupCorruptError, database untouched) a backup failing verification
    and one of another engine; raises BackupError when the restored database does
    not match the manifest.
    """
    verification = await verify_backup(home, backup_id)
    if not verification.ok:
        raise BackupCorruptError(
            f"backup {backup_id} fails verification ({'; '.join(verification.problems[:3])}); "
            "nothing was restored"
        )
    store = BackupStore(home)
    manifest = store.load(backup_id)
    db = Database(url)
    try:
        if db.dialect != manifest.dialect:
            raise BackupError(
                f"backup {backup_id} is of a {manifest.dialect} database; "
                f"the configured one is {db.dialect}"
            )
        before = None
        if safety_backup:
            before = await create_backup(url, home, reason=f"before restoring {backup_id}")
        with collector_paused():
            await _load(db, manifest, store.path(backup_id))
            async with db.read() as connection:
                state = await read_state(connection)
        problems = differences(_expected(manifest), state)
        if problems:
            raise BackupError(f"restored database does not match backup {backup_id}: {problems[0]}")
        async with db.transaction() as connection:
            await mark_restored(connection, record_of(manifest, store.path(backup_id)))
        return before
    finally:
        await db.dispose()


async def _load(db: Database, manifest: Manifest, folder: Path) -> None:
    if manifest.format == "sqlite":
        await db.dispose()
        live = sqlite_files.database_path(db.url)
        await asyncio.to_thread(sqlite_files.restore_database, folder / SQLITE_FILE, live)
    elif manifest.format == "pg_dump":
        await _pg_restore(db, manifest, folder / PG_DUMP_FILE)
    else:
        async with db.transaction() as connection:
            await _load_portable(connection, manifest, folder)


async def _pg_restore(db: Database, manifest: Manifest, dump: Path) -> None:
    # Tables made after the backup (by a failed migration, say) are not in the dump: drop them
    # first, then pg_restore replaces everything else in one transaction.
    async with db.transaction() as connection:
        await bulk.drop_all_tables(connection, keep=[*manifest.tables, VERSION_TABLE])
    try:
        await pg_tools.restore(db.url, dump, clean=True)
    except BackupError as error:
        logger.warning("pg_restore --clean failed (%s); restoring into an emptied database", error)
        async with db.transaction() as connection:
            await bulk.drop_all_tables(connection)
        await pg_tools.restore(db.url, dump, clean=False)


async def _load_portable(connection: AsyncConnection, manifest: Manifest, folder: Path) -> None:
    await bulk.drop_all_tables(connection)
    await migrations.migrate_on(connection, manifest.schema_revision)
    tables = {table.name: table for table in await data_tables(connection)}
    missing = sorted(set(manifest.tables) - set(tables))
    if missing:
        raise BackupError(
            f"revision {manifest.schema_revision} has no table {missing[0]} for the backup's rows"
        )
    for name in manifest.tables:
        table = tables[name]
        source = folder / f"tables/{name}.jsonl.gz"
        for batch in read_rows(source, table, batch_rows=BATCH_ROWS):
            await bulk.insert_rows(connection, table, batch)
        await bulk.reset_sequences(connection, table)
