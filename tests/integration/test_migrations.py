"""The schema migrations walk up and down on SQLite and on the real PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect

from tests.conftest import BACKENDS
from tradestack.domain.market import Bar
from tradestack.storage import migrations
from tradestack.storage.database import Database
from tradestack.storage.repositories.bars import count_bars, insert_bars

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
