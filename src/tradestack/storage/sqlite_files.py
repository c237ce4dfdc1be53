"""SQLite database files: copies through the online backup API, and read-only engines over them.

The online backup API copies a consistent snapshot page by page while other
connections keep reading and writing, which a plain file copy of a WAL
database cannot promise. These functions block: call them in a thread.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import aiosqlite
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from tradestack.errors import BackupError


def database_path(url: str) -> Path:
    """Return the file of a ``sqlite+aiosqlite:///PATH`` URL; refuse in-memory databases."""
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database has no file to back up or restore")
    return Path(database)


def copy_database(source: Path, target: Path) -> None:
    """Copy ``source`` into ``target`` (created or overwritten) with the online backup API.

    The copy is left in rollback-journal mode so that it can be opened read-only.
    """
    if not source.exists():
        raise BackupError(f"SQLite database {source} does not exist")
    with (
        closing(sqlite3.connect(source, timeout=30)) as src,
        closing(sqlite3.connect(target)) as dst,
    ):
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")


def restore_database(backup: Path, live: Path) -> None:
    """Overwrite the live database ``live`` with the pages of ``backup``, in one step.

    Other connections see either the old or the restored database, never a mix.
    """
    live.parent.mkdir(parents=True, exist_ok=True)
    with (
        closing(sqlite3.connect(_readonly_uri(backup), uri=True)) as src,
        closing(sqlite3.connect(live, timeout=30)) as dst,
    ):
        src.backup(dst)


def integrity_problems(path: Path) -> list[str]:
    """Run ``PRAGMA integrity_check`` on a database file; return its complaints (none: [])."""
    try:
        with closing(sqlite3.connect(_readonly_uri(path), uri=True)) as connection:
            rows = connection.execute("PRAGMA integrity_check").fetchall()
    except sqlite3.DatabaseError as error:
        return [str(error)]
    messages = [str(row[0]) for row in rows]
    return [] if messages == ["ok"] else messages


def readonly_engine(path: Path) -> AsyncEngine:
    """Return an engine that can only read the SQLite file ``path`` (a backup, say)."""
    uri = _readonly_uri(path)

    async def connect() -> aiosqlite.Connection:
        return await aiosqlite.connect(uri, uri=True)

    return create_async_engine("sqlite+aiosqlite://", async_creator=connect, poolclass=NullPool)


def _readonly_uri(path: Path) -> str:
    return path.resolve().as_uri() + "?mode=ro"
