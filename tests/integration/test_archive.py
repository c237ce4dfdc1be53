"""Archiving old bars to Parquet and restoring them, on both engines; nothing lost on failure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from tests.conftest import BACKENDS
from tradestack.domain.bar_frame import BarFrame
from tradestack.errors import ArchiveError
from tradestack.marketdata import archive
from tradestack.marketdata.archive import archive_older_than, restore_archive
from tradestack.marketdata.synthetic import SyntheticMarket
from tradestack.storage.database import Database
from tradestack.storage.repositories.bar_frames import insert_frame, read_frame, read_sources
from tradestack.storage.repositories.ingest import archive_records

pytestmark = pytest.mark.parametrize("empty_database_url", BACKENDS, indirect=True)
START = datetime(2024, 1, 31, 20, tzinfo=UTC)  # 4 h of January, then February
CUTOFF = datetime(2024, 2, 2, tzinfo=UTC)


def hours(count: int, start: datetime = START) -> BarFrame:
    arrays = SyntheticMarket(seed=2).arrays("BTC/USDT", "1h", start, count)
    ts = int(start.timestamp()) + 3600 * np.arange(count, dtype=np.int64)
    return BarFrame.from_arrays("BTC/USDT", "1h", ts, *arrays)


@pytest.fixture
def archive_dir(tmp_path: Path) -> Path:
    return tmp_path / "archive"


async def fill(db: Database) -> BarFrame:
    bars = hours(100)
    async with db.transaction() as connection:
        await insert_frame(connection, bars.take(slice(0, 10)), source="ccxt:binance")
        await insert_frame(connection, bars.take(slice(10, 100)), source="file:old.csv")
    return bars


async def everything(db: Database) -> tuple[BarFrame, np.ndarray]:
    async with db.read() as connection:
        return (
            await read_frame(connection, "BTC/USDT", "1h"),
            await read_sources(connection, "BTC/USDT", "1h"),
        )


async def test_archive_then_restore_gives_back_every_bar(
    database: Database, archive_dir: Path
) -> None:
    bars = await fill(database)
    before = await everything(database)
    report = await archive_older_than(database, archive_dir, CUTOFF)
    assert [f.row_count for f in report.files] == [4, 24]
    assert [f.path.split("/")[2] for f in report.files] == ["month=2024-01", "month=2024-02"]
    stored, _ = await everything(database)
    assert len(stored) == 72 and stored.first_time == CUTOFF
    tree = ds.dataset(archive_dir, format="parquet", partitioning="hive").to_table()
    assert tree.num_rows == 28 and set(tree.column("symbol").to_pylist()) == {"BTC-USDT"}
    restored = await restore_archive(database, archive_dir)
    assert restored.rows == 28
    after = await everything(database)
    assert np.array_equal(after[0].ts, before[0].ts) and np.array_equal(after[0].close, bars.close)
    assert after[1].tolist() == before[1].tolist()  # sources kept per bar
    async with database.read() as connection:
        assert await archive_records(connection) == []


async def test_nothing_is_deleted_when_the_file_does_not_verify(
    database: Database, archive_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await fill(database)
    original = archive._write

    def lossy(path: Path, frame: BarFrame, sources: np.ndarray, digest: str) -> None:
        original(path, frame.take(slice(1, None)), sources[1:], digest)

    monkeypatch.setattr(archive, "_write", lossy)
    with pytest.raises(ArchiveError, match="does not match its record"):
        await archive_older_than(database, archive_dir, CUTOFF)
    stored, _ = await everything(database)
    assert len(stored) == 100


async def test_a_tampered_file_is_not_restored(database: Database, archive_dir: Path) -> None:
    await fill(database)
    report = await archive_older_than(database, archive_dir, CUTOFF)
    path = archive_dir / report.files[1].path
    table = pq.read_table(path)
    close = table.column("close").to_numpy().copy()
    close[3] += 1
    pq.write_table(table.set_column(table.schema.get_field_index("close"), "close", [close]), path)
    with pytest.raises(ArchiveError, match="does not match"):
        await restore_archive(database, archive_dir, timeframe="1h")
    stored, _ = await everything(database)
    assert len(stored) == 72 + 4  # only the intact January file came back


async def test_archiving_twice_is_harmless(database: Database, archive_dir: Path) -> None:
    await fill(database)
    await archive_older_than(database, archive_dir, CUTOFF)
    again = await archive_older_than(database, archive_dir, CUTOFF + timedelta(hours=1))
    assert [f.row_count for f in again.files] == [1]
