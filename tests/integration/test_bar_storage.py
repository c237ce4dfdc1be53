"""Bulk bar storage on both engines: fast paths, idempotence, partitions, index use."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest
from sqlalchemy import event, insert, text
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.conftest import BACKENDS
from tradestack.domain.bar_frame import BarFrame
from tradestack.marketdata.synthetic import SyntheticMarket
from tradestack.storage import migrations
from tradestack.storage.database import Database
from tradestack.storage.repositories.bar_frames import insert_frame, read_frame, read_times
from tradestack.storage.repositories.bar_series import series_catalog
from tradestack.storage.repositories.bars import (
    bars_between,
    bars_between_query,
    count_bars,
    delete_bars_between,
    insert_bars,
    recent_bars,
    recent_bars_query,
)
from tradestack.storage.tables import bars as bars_table

pytestmark = pytest.mark.parametrize("empty_database_url", BACKENDS, indirect=True)
START = datetime(2024, 1, 30, tzinfo=UTC)


def frame(count: int, symbol: str = "BTC/USDT", start: datetime = START) -> BarFrame:
    arrays = SyntheticMarket(seed=5).arrays(symbol, "1m", start, count)
    ts = int(start.timestamp()) + 60 * np.arange(count, dtype=np.int64)
    return BarFrame.from_arrays(symbol, "1m", ts, *arrays)


async def test_frames_round_trip_and_repeats_store_nothing(database: Database) -> None:
    bars = frame(5000)  # crosses from January into February: two partitions on PostgreSQL
    async with database.transaction() as connection:
        assert await insert_frame(connection, bars, source="test") == 5000
        assert await insert_frame(connection, bars.take(slice(100, 6000)), source="test") == 0
    async with database.read() as connection:
        back = await read_frame(connection, "BTC/USDT", "1m")
        window = await read_times(
            connection,
            "BTC/USDT",
            "1m",
            start=START + timedelta(minutes=10),
            end=START + timedelta(minutes=20),
        )
        listed = await bars_between(
            connection, "BTC/USDT", "1m", start=START, end=START + timedelta(minutes=3)
        )
    for column in ("ts", "open", "high", "low", "close", "volume"):
        assert np.array_equal(getattr(back, column), getattr(bars, column)), column
    assert window.tolist() == list(
        range(int(START.timestamp()) + 600, int(START.timestamp()) + 1200, 60)
    )
    assert [b.close for b in listed] == bars.close[:3].tolist()


async def test_a_failed_transaction_leaves_nothing(database: Database) -> None:
    with pytest.raises(RuntimeError):
        async with database.transaction() as connection:
            await insert_frame(connection, frame(1000), source="test")
            raise RuntimeError("bad row found later in the file")
    async with database.read() as connection:
        assert await count_bars(connection, "BTC/USDT", "1m") == 0


async def test_insert_bars_keeps_its_contract_over_several_series(database: Database) -> None:
    mixed = frame(10).to_bars() + frame(5, "ETH/USDT").to_bars()
    async with database.transaction() as connection:
        assert await insert_bars(connection, mixed, source="test") == 15
        assert await insert_bars(connection, mixed, source="test") == 0
        newest = await recent_bars(connection, "ETH/USDT", "1m", limit=2)
    assert [b.ts for b in newest] == [b.ts for b in mixed[-2:]]


async def test_a_bar_in_a_new_month_gets_its_partition(database: Database) -> None:
    later = frame(3, start=datetime(2031, 7, 1, tzinfo=UTC))
    async with database.transaction() as connection:
        assert await insert_frame(connection, later, source="test") == 3
    if database.dialect == "postgresql":
        async with database.read() as connection:
            names = await connection.execute(
                text(
                    "SELECT relname FROM pg_class "
                    "WHERE relname LIKE 'bars_y2031%' AND relkind = 'r'"
                )
            )
            assert names.scalars().all() == ["bars_y2031m07"]


async def test_latest_n_and_time_range_queries_use_the_index(database: Database) -> None:
    async with database.transaction() as connection:
        for symbol in ("BTC/USDT", "ETH/USDT", "SOL/USDT"):
            await insert_frame(connection, frame(60_000, symbol), source="test")
        if database.dialect == "postgresql":
            await connection.execute(text("ANALYZE bars"))
    queries = {
        "latest": recent_bars_query("ETH/USDT", "1m", limit=100),
        "range": bars_between_query(
            "ETH/USDT", "1m", start=START + timedelta(days=20), end=START + timedelta(days=21)
        ),
    }
    async with database.read() as connection:
        for name, query in queries.items():
            plan = await explain(connection, lambda c, q=query: c.execute(q))
            if database.dialect == "postgresql":
                assert "Index Scan" in plan and "Seq Scan" not in plan, (name, plan)
            else:
                assert "USING INDEX sqlite_autoindex_bars_1" in plan, (name, plan)
                assert "USE TEMP B-TREE" not in plan, (name, plan)


async def explain(connection: AsyncConnection, run: Callable[[AsyncConnection], Any]) -> str:
    """Run a query with EXPLAIN prefixed by the engine, so its parameters bind as usual."""
    prefix = "EXPLAIN " if connection.dialect.name == "postgresql" else "EXPLAIN QUERY PLAN "

    def add_prefix(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        return prefix + statement, parameters

    event.listen(connection.sync_connection, "before_cursor_execute", add_prefix, retval=True)
    try:
        rows = (await run(connection)).all()
    finally:
        event.remove(connection.sync_connection, "before_cursor_execute", add_prefix)
    return "\n".join(" ".join(str(v) for v in row) for row in rows)


PARTITION_REVISION = "0008"  # partition_bars


async def test_migrations_keep_rows_up_and_down(empty_database_url: str) -> None:
    """Walk 0001 -> head -> 0001 with bars stored at each step (plain inserts below head)."""
    db = Database(empty_database_url)
    try:
        await migrations.upgrade(db.engine, "0001")
        await plain_insert(db, frame(3000))
        await migrations.upgrade(db.engine, PARTITION_REVISION)
        async with db.read() as connection:
            assert await count_bars(connection, "BTC/USDT", "1m") == 3000
            if db.dialect == "postgresql":
                kind = await connection.execute(
                    text("SELECT relkind::text FROM pg_class WHERE relname = 'bars'")
                )
                assert kind.scalar() == "p"
        await plain_insert(db, frame(3100).take(slice(3000, None)))
        await migrations.upgrade(db.engine)
        async with db.transaction() as connection:
            catalog = await connection.execute(text("SELECT row_count FROM bar_series"))
            assert catalog.scalar() == 3100  # filled from the stored bars
            assert await insert_frame(connection, frame(3200), source="head") == 100
        await migrations.downgrade(db.engine, "0001")
        async with db.read() as connection:
            assert await count_bars(connection, "BTC/USDT", "1m") == 3200
    finally:
        await db.dispose()


async def plain_insert(db: Database, bars: BarFrame) -> None:
    """Insert as any SQL client would, without tradestack's partition or catalogue upkeep."""
    async with db.transaction() as connection:
        await connection.execute(
            insert(bars_table),
            [{**vars_of(b), "source": "plain"} for b in bars.to_bars()],
        )


def vars_of(bar: object) -> dict[str, object]:
    names = ("symbol", "timeframe", "ts", "open", "high", "low", "close", "volume")
    return {name: getattr(bar, name) for name in names}


async def test_the_series_catalogue_follows_writes_and_a_stale_one_hides_nothing(
    database: Database,
) -> None:
    async with database.transaction() as connection:
        await insert_frame(connection, frame(5000), source="test")
        await delete_bars_between(
            connection, "BTC/USDT", "1m", start=START, end=START + timedelta(minutes=100)
        )
        (known,) = await series_catalog(connection)
    assert known.row_count == 4900 and known.first_ts == START + timedelta(minutes=100)
    assert known.last_ts == START + timedelta(minutes=4999)
    later = frame(10, start=START + timedelta(days=40))
    await plain_insert(database, later)  # the catalogue does not see these
    async with database.read() as connection:
        newest = await recent_bars(connection, "BTC/USDT", "1m", limit=3)
        before = await recent_bars(connection, "BTC/USDT", "1m", limit=2, before=later.first_time)
    assert [b.ts for b in newest] == [b.ts for b in later.to_bars()[-3:]]
    assert [b.ts for b in before] == [START + timedelta(minutes=m) for m in (4998, 4999)]
