"""The schema migrations walk up and down on SQLite and on the real PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from tests.conftest import BACKENDS
from tests.integration.migrate.sample_data import fill_every_table
from tradestack.domain.market import Bar
from tradestack.migrate.snapshot import read_state
from tradestack.storage import migrations
from tradestack.storage.database import Database
from tradestack.storage.repositories.bars import count_bars, insert_bars
from tradestack.storage.tables import metadata

CORE_TABLES = {"bars", "traders", "orders", "fills", "positions", "balances", "signals", "events"}
ALL_TABLES = CORE_TABLES | {"backtests"}


async def _tables(db: Database) -> set[str]:
    async with db.read() as connection:
        return set(await connection.run_sync(lambda c: inspect(c).get_table_names()))


@pytest.mark.parametrize("empty_database_url", BACKENDS, indirect=True)
async def test_upgrade_creates_core_tables_and_downgrade_removes_them(
    empty_database_url: str,
) -> None:
    db = Database(empty_database_url)
    try:
        assert await migrations.current(db.engine) is None
        await migrations.upgrade(db.engine)
        assert await migrations.current(db.engine) == migrations.head()
        assert await _tables(db) >= ALL_TABLES

        bar = Bar("BTC/USDT", "1m", datetime(2026, 1, 1, tzinfo=UTC), 1, 2, 0.5, 1.5, 10)
        async with db.transaction() as connection:
            assert await insert_bars(connection, [bar], source="test") == 1

        await migrations.downgrade(db.engine, "base")
        assert await migrations.current(db.engine) is None
        assert not ALL_TABLES & await _tables(db)

        await migrations.upgrade(db.engine)
        async with db.read() as connection:
            assert await count_bars(connection, "BTC/USDT", "1m") == 0
    finally:
        await db.dispose()


def test_history_lists_the_head_revision() -> None:
    revisions = migrations.history()
    assert revisions[0].is_head
    assert revisions[0].revision == migrations.head()
    assert revisions[-1].down_revision is None


@pytest.mark.parametrize("empty_database_url", BACKENDS, indirect=True)
async def test_each_migration_downgrades_alone(empty_database_url: str) -> None:
    db = Database(empty_database_url)
    try:
        await migrations.upgrade(db.engine)
        await migrations.downgrade(db.engine, "0001")
        assert await migrations.current(db.engine) == "0001"
        tables = await _tables(db)
        assert tables >= CORE_TABLES and "backtests" not in tables
        await migrations.upgrade(db.engine)
        assert "backtests" in await _tables(db)
    finally:
        await db.dispose()


async def _counts(db: Database) -> dict[str, int]:
    async with db.read() as connection:
        state = await read_state(connection, digests=False)
    return {name: entry.rows for name, entry in state.tables.items() if name in CORE_TABLES}


@pytest.mark.parametrize("empty_database_url", BACKENDS, indirect=True)
async def test_every_migration_walks_up_and_down_with_data_in_the_tables(
    empty_database_url: str,
) -> None:
    db = Database(empty_database_url)
    order = [revision.revision for revision in reversed(migrations.history())]
    try:
        await migrations.upgrade(db.engine, order[0])
        await fill_every_table(db)
        filled = await _counts(db)
        assert all(filled.values())
        for revision in order[1:]:
            await migrations.upgrade(db.engine, revision)
            assert await migrations.current(db.engine) == revision
            assert await _counts(db) == filled
        for revision in reversed(order[:-1]):
            await migrations.downgrade(db.engine, revision)
            assert await migrations.current(db.engine) == revision
            assert await _counts(db) == filled
        await migrations.downgrade(db.engine, "base")
        assert not (await _tables(db)) - {"alembic_version"}
    finally:
        await db.dispose()


@pytest.mark.parametrize("empty_database_url", BACKENDS, indirect=True)
async def test_migrations_build_exactly_the_declared_schema(empty_database_url: str) -> None:
    db = Database(empty_database_url)
    try:
        await migrations.upgrade(db.engine)
        async with db.read() as connection:
            diff = await connection.run_sync(
                lambda c: compare_metadata(MigrationContext.configure(c), metadata)
            )
        # PostgreSQL partitions of bars (bars_default, bars_yYYYYmMM) are made at run time.
        diff = [d for d in diff if not (d[0] == "remove_table" and d[1].name.startswith("bars_"))]
        assert diff == []
    finally:
        await db.dispose()
