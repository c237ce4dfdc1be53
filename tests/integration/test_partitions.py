"""PostgreSQL monthly partitions: rows of months without a partition are never refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from tests.conftest import BACKENDS
from tests.integration.test_bar_storage import frame
from tradestack.storage.database import Database
from tradestack.storage.repositories.bar_frames import insert_frame

pytestmark = pytest.mark.parametrize("empty_database_url", BACKENDS[1:], indirect=True)


async def test_rows_written_without_a_partition_land_in_default_and_move_later(
    database: Database,
) -> None:
    stray = frame(3, start=datetime(2033, 3, 1, tzinfo=UTC))
    async with database.transaction() as connection:  # a writer that skips ensure_bar_partitions
        await connection.execute(
            text(
                "INSERT INTO bars (symbol, timeframe, ts, open, high, low, close, volume, source) "
                "VALUES ('BTC/USDT', '1m', :ts, 1, 1, 1, 1, 1, 'other')"
            ),
            [{"ts": t} for t in (stray.first_time, stray.last_time)],
        )
    async with database.transaction() as connection:
        assert await insert_frame(connection, stray, source="test") == 1
    async with database.read() as connection:
        placed = await connection.execute(
            text("SELECT tableoid::regclass::text, count(*) FROM bars GROUP BY 1 ORDER BY 1")
        )
        assert placed.all() == [("bars_y2033m03", 3)]
