import asyncio
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.unit.backtest.conftest import synthetic
from tradestack.backtest.loading import load_file
from tradestack.backtest.service import DataSource
from tradestack.errors import DataImportError
from tradestack.storage import migrations
from tradestack.storage.database import Database
from tradestack.storage.repositories.bars import insert_bars


def write_parquet(path: Path, count: int = 50, **overrides: object) -> None:
    series = synthetic(count)
    columns = {
        "Timestamp": pa.array(series.ts, type=pa.timestamp("us")),
        "OPEN": series.open,
        "high": series.high,
        "low": series.low,
        "close": series.close,
        "volume": series.volume,
    }
    columns.update(overrides)  # type: ignore[arg-type]
    pq.write_table(pa.table(columns), path)


def test_parquet_columns_match_by_name_in_any_case(tmp_path: Path) -> None:
    path = tmp_path / "bars.parquet"
    write_parquet(path)
    series = load_file(path, symbol="BTC/USDT", timeframe="1m")
    expected = synthetic(50)
    assert np.array_equal(series.close, expected.close)
    assert np.array_equal(series.ts, expected.ts)
    assert series.datetime_at(0) == datetime(2024, 1, 1, tzinfo=UTC)


def test_bad_parquet_rows_are_named(tmp_path: Path) -> None:
    path = tmp_path / "bad.parquet"
    lows = synthetic(50).low.copy()
    lows[7] = -1.0
    write_parquet(path, low=lows)
    with pytest.raises(DataImportError, match="price that is not positive, first at row 8"):
        load_file(path, symbol="X", timeframe="1m")


def test_missing_columns_and_files_are_data_import_errors(tmp_path: Path) -> None:
    path = tmp_path / "short.parquet"
    pq.write_table(pa.table({"timestamp": [1, 2], "close": [1.0, 2.0]}), path)
    with pytest.raises(DataImportError, match="missing column"):
        load_file(path, symbol="X", timeframe="1m")
    with pytest.raises(DataImportError, match="does not exist"):
        load_file(tmp_path / "nope.csv", symbol="X", timeframe="1m")


def test_stored_bars_are_a_data_source_and_start_end_clip(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bars.db'}"
    bars = list(synthetic(120).bars())

    async def store() -> None:
        db = Database(url)
        await migrations.upgrade(db.engine)
        async with db.transaction() as connection:
            await insert_bars(connection, bars, source="test")
        await db.dispose()

    asyncio.run(store())
    source = DataSource(symbol="BTC/USDT", timeframe="1m", database_url=url,
                        start=bars[10].ts, end=bars[100].ts)  # fmt: skip
    series = source.load()
    assert len(series) == 90 and series.datetime_at(0) == bars[10].ts
    with pytest.raises(DataImportError, match="no stored bars"):
        DataSource(symbol="ETH/USDT", timeframe="1m", database_url=url).load()
