"""The Database handle: one engine, transactions, and dialect-aware upserts."""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tradestack.storage.engine import (
    check_connection,
    create_engine,
    disk_full_errors,
    translated_errors,
)


class Database:
    """Owns the async engine; repositories are functions that take a connection from it.

    Passing one connection to several repository calls makes them one
    transaction: an order, its fill, the position and the balance change
    together or not at all.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: AsyncEngine = create_engine(url)
        self._checked_at = float("-inf")

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    async def check(self, *, max_age_s: float = 0.0) -> None:
        """Raise DatabaseUnavailableError unless the database answers.

        With ``max_age_s``, a successful check that recent is trusted without
        asking again: a health probe polled hundreds of times a second needs
        no round trip each time.
        """
        if max_age_s > 0 and time.monotonic() - self._checked_at < max_age_s:
            return
        await check_connection(self.engine)
        self._checked_at = time.monotonic()

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection]:
        async with (
            translated_errors(self.url),
            disk_full_errors(self.url),
            self.engine.begin() as connection,
        ):
            yield connection

    @contextlib.asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        async with translated_errors(self.url), self.engine.connect() as connection:
            yield connection

    async def dispose(self) -> None:
        await self.engine.dispose()


def insert_for(connection: AsyncConnection, table: Table) -> Any:
    """Return the dialect's INSERT, which offers ``on_conflict_do_*`` on both engines."""
    if connection.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


_UPSERTS: dict[tuple[str, str, tuple[str, ...]], Any] = {}


async def upsert(
    connection: AsyncConnection, table: Table, rows: Sequence[dict[str, Any]], keys: Sequence[str]
) -> None:
    """Insert ``rows``, replacing non-key columns of rows whose ``keys`` already exist.

    The statement is built once per table and dialect: building it costs more
    than running it on the trader's hot path.
    """
    if not rows:
        return
    cache_key = (connection.dialect.name, table.name, tuple(keys))
    statement = _UPSERTS.get(cache_key)
    if statement is None:
        insert = insert_for(connection, table)
        updates = {
            column.name: insert.excluded[column.name]
            for column in table.columns
            if column.name not in keys
        }
        statement = insert.on_conflict_do_update(index_elements=list(keys), set_=updates)
        _UPSERTS[cache_key] = statement
    await connection.execute(statement, list(rows))
