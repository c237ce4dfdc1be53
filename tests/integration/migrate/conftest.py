"""Fixtures for the migration toolkit: a filled database at head, and a home for backups."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.integration.migrate.sample_data import fill_every_table
from tradestack.migrate.snapshot import BOOKKEEPING_TABLES, DatabaseState, read_state
from tradestack.storage import migrations
from tradestack.storage.database import Database


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
async def filled_url(empty_database_url: str) -> AsyncIterator[str]:
    """The URL of a database at head with rows in every core table."""
    db = Database(empty_database_url)
    try:
        await migrations.upgrade(db.engine)
        await fill_every_table(db)
    finally:
        await db.dispose()
    yield empty_database_url


async def state_of(url: str, *, digests: bool = True) -> DatabaseState:
    """Read a database's state, leaving out the toolkit's own bookkeeping table."""
    db = Database(url)
    try:
        async with db.read() as connection:
            state = await read_state(connection, digests=digests)
    finally:
        await db.dispose()
    tables = {k: v for k, v in state.tables.items() if k not in BOOKKEEPING_TABLES}
    return DatabaseState(revision=state.revision, tables=tables)
