"""db move between SQLite and the real PostgreSQL, and the proof that the copy is exact."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.conftest import BACKENDS, _create_postgres_database, _drop_postgres_database
from tests.integration.migrate.conftest import state_of
from tests.integration.migrate.sample_data import bar_rows, fill_every_table
from tradestack.errors import MoveError
from tradestack.migrate.move import move_database
from tradestack.migrate.move_verify import compare_databases
from tradestack.storage import migrations
from tradestack.storage.database import Database
from tradestack.storage.engine import describe_url
from tradestack.storage.inventory import data_tables
from tradestack.storage.move_state import incomplete_move, start_move
from tradestack.storage.tables import bars, signals

TARGETS = [
    pytest.param("sqlite", id="to-sqlite"),
    pytest.param("postgresql", id="to-postgresql", marks=pytest.mark.services),
]


@pytest.fixture
async def target_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'target.db'}"
        return
    url = await _create_postgres_database()
    try:
        yield url
    finally:
        await _drop_postgres_database(url)


@pytest.mark.parametrize("empty_database_url", BACKENDS, indirect=True)
@pytest.mark.parametrize("target_url", TARGETS, indirect=True)
async def test_move_copies_every_row_and_proves_it(filled_url: str, target_url: str) -> None:
    result = await move_database(filled_url, target_url, batch_rows=64)

    assert result.ok and not result.resumed
    assert result.rows_copied == (await state_of(filled_url)).total_rows
    by_table = {c.table: c for c in result.comparisons}
    assert by_table["orders"].source.sums == by_table["orders"].target.sums
    assert by_table["bars"].target.rows == 300
    assert await state_of(target_url) == await state_of(filled_url)
    target = Database(target_url)
    try:
        assert await migrations.current(target.engine) == migrations.head()
        async with target.transaction() as connection:
            assert await incomplete_move(connection) is None
            # id sequences continue after the copied ids
            await connection.execute(
                signals.insert(),
                {
                    "trader_id": "x",
                    "strategy": "s",
                    "symbol": "BTC/USDT",
                    "side": "BUY",
                    "confidence": 1.0,
                    "price": 1.0,
                    "ts": datetime(2030, 1, 1, tzinfo=UTC),
                },
            )
    finally:
        await target.dispose()


@pytest.mark.parametrize("empty_database_url", BACKENDS[:1], indirect=True)
async def test_move_refuses_a_target_with_data_or_itself(filled_url: str, tmp_path: Path) -> None:
    with pytest.raises(MoveError, match="configured database itself"):
        await move_database(filled_url, filled_url)
    other = f"sqlite+aiosqlite:///{tmp_path / 'other.db'}"
    db = Database(other)
    try:
        await migrations.upgrade(db.engine)
        await fill_every_table(db, bar_count=3, order_count=1)
    finally:
        await db.dispose()
    with pytest.raises(MoveError, match="already holds data"):
        await move_database(filled_url, other)


@pytest.mark.parametrize("empty_database_url", BACKENDS[:1], indirect=True)
async def test_move_refuses_a_source_behind_head(filled_url: str, tmp_path: Path) -> None:
    db = Database(filled_url)
    try:
        await migrations.downgrade(db.engine, "0001")
    finally:
        await db.dispose()
    with pytest.raises(MoveError, match="db upgrade"):
        await move_database(filled_url, f"sqlite+aiosqlite:///{tmp_path / 'other.db'}")


@pytest.mark.parametrize("empty_database_url", BACKENDS, indirect=True)
async def test_comparison_names_missing_extra_and_differing_rows(
    filled_url: str, tmp_path: Path
) -> None:
    copy = f"sqlite+aiosqlite:///{tmp_path / 'copy.db'}"
    assert (await move_database(filled_url, copy)).ok
    db = Database(copy)
    try:
        async with db.transaction() as connection:
            await connection.execute(
                text("DELETE FROM orders WHERE client_order_id = 'ord-000001'")
            )
            await connection.execute(text("UPDATE bars SET close = close + 0.5 WHERE id = 7"))
            await connection.execute(
                bars.insert(), [dict(r, ts=datetime(2031, 1, 1, tzinfo=UTC)) for r in bar_rows(1)]
            )
    finally:
        await db.dispose()
    source, target = Database(filled_url), Database(copy)
    try:
        async with source.read() as connection:
            tables = await data_tables(connection)
        comparisons = {
            c.table: c for c in await compare_databases(source, target, tables, batch_rows=50)
        }
    finally:
        await source.dispose()
        await target.dispose()
    orders, bars_ = comparisons["orders"], comparisons["bars"]
    assert not orders.ok and orders.missing_in_target == 1
    assert "missing in target: ord-000001" in orders.examples
    assert not bars_.ok and bars_.differing == 1 and bars_.missing_in_source == 1
    assert bars_.sums_differing and "close" in bars_.sums_differing
    assert comparisons["fills"].ok


@pytest.mark.parametrize("empty_database_url", BACKENDS[:1], indirect=True)
async def test_move_stopped_while_creating_the_schema_starts_again_cleanly(
    filled_url: str, tmp_path: Path
) -> None:
    target_url = f"sqlite+aiosqlite:///{tmp_path / 'target.db'}"
    target = Database(target_url)
    try:
        async with target.transaction() as connection:
            await start_move(connection, describe_url(filled_url))
            await connection.execute(text("CREATE TABLE bars (half_made INTEGER)"))
        async with target.read() as connection:
            assert "creating the schema" in (await incomplete_move(connection) or "")
    finally:
        await target.dispose()
    result = await move_database(filled_url, target_url)
    assert result.ok and not result.resumed
    assert await state_of(target_url) == await state_of(filled_url)
