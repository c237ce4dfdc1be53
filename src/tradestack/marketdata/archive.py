"""Archive old bars to Parquet and bring them back, never deleting what is not proven safe.

``archive_older_than`` writes each series' bars older than a cutoff to one
Parquet file per month under ``root/symbol=BTC-USDT/timeframe=1m/month=2024-01/``
(hive-style, so DuckDB, pandas or pyarrow read the tree directly), reads the
file back and compares its row count and SHA-256 checksum with what was read
from the database, and only then deletes those rows, in a transaction that
also records the file in ``bar_archives`` and fails if the delete count
differs. ``restore_archive`` reverses it, checking the checksum again.
``read_archived`` serves archived ranges to queries straight from the files.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from tradestack.domain.bar_frame import PRICE_COLUMNS, BarFrame
from tradestack.domain.timeframes import symbol_to_path
from tradestack.errors import ArchiveError
from tradestack.marketdata.pipeline import Progress
from tradestack.storage.database import Database
from tradestack.storage.partitions import months_between
from tradestack.storage.repositories.bar_frames import insert_frame, read_frame, read_sources
from tradestack.storage.repositories.bar_series import series_catalog
from tradestack.storage.repositories.bars import delete_bars_between
from tradestack.storage.repositories.ingest import (
    ArchiveRecord,
    archive_records,
    drop_archive_record,
    save_archive_record,
)

log = logging.getLogger(__name__)


@dataclass(slots=True)
class ArchiveReport:
    files: list[ArchiveRecord] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(f.row_count for f in self.files)


async def archive_older_than(
    db: Database,
    root: Path,
    cutoff: datetime,
    *,
    symbol: str | None = None,
    timeframe: str | None = None,
    progress: Progress | None = None,
) -> ArchiveReport:
    """Move bars with ``ts < cutoff`` into Parquet under ``root``, one file per series and month."""
    async with db.read() as connection:
        series = [
            s
            for s in await series_catalog(connection)
            if (symbol is None or s.symbol == symbol)
            and (timeframe is None or s.timeframe == timeframe)
        ]
    report = ArchiveReport()
    for known in series:
        if known.first_ts >= cutoff:
            continue
        months = months_between(int(known.first_ts.timestamp()), int(cutoff.timestamp()) - 1)
        if progress is not None:
            progress.begin(len(months), f"{known.symbol} {known.timeframe}")
        for month in months:
            record = await _archive_month(db, root, known.symbol, known.timeframe, month, cutoff)
            if record is not None:
                report.files.append(record)
            if progress is not None:
                progress.advance(1)
    return report


async def restore_archive(
    db: Database,
    root: Path,
    *,
    symbol: str | None = None,
    timeframe: str | None = None,
    remove_files: bool = False,
) -> ArchiveReport:
    """Put archived bars back into the database (checksum checked first)."""
    async with db.read() as connection:
        records = await archive_records(connection, symbol, timeframe)
    report = ArchiveReport()
    for record in records:
        path = root / record.path
        frame, sources = read_archive_file(path, record.symbol, record.timeframe)
        _verify(path, frame, sources, record.row_count, record.checksum)
        async with db.transaction() as connection:
            for source in np.unique(sources).tolist():
                await insert_frame(connection, frame.take(sources == source), source=source)
            await drop_archive_record(connection, record)
        if remove_files:
            path.unlink()
        report.files.append(record)
    return report


def read_archived(
    root: Path, records: Sequence[ArchiveRecord], start: datetime | None, end: datetime | None
) -> BarFrame | None:
    """Read the archived bars of one series in ``[start, end)`` from its Parquet files."""
    start_s = int(start.timestamp()) if start else None
    end_s = int(end.timestamp()) if end else None
    parts = []
    for record in records:
        if (end and record.first_ts >= end) or (start and record.last_ts < start):
            continue
        frame, _ = read_archive_file(root / record.path, record.symbol, record.timeframe)
        parts.append(frame.between(start_s, end_s))
    return BarFrame.concat(parts).sorted() if parts else None


def read_archive_file(path: Path, symbol: str, timeframe: str) -> tuple[BarFrame, np.ndarray]:
    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException) as error:
        raise ArchiveError(f"cannot read archive file {path}: {error}") from None
    ts = table.column("ts").cast(pa.timestamp("s", tz="UTC")).cast(pa.int64()).to_numpy()
    frame = BarFrame.from_arrays(
        symbol, timeframe, ts, *(table.column(c).to_numpy() for c in PRICE_COLUMNS)
    )
    sources = np.array(table.column("source").to_pylist(), dtype=object)
    return frame, sources


def checksum(frame: BarFrame, sources: np.ndarray) -> str:
    """SHA-256 over the bars' values in a fixed byte order (times, prices, volume, sources)."""
    digest = hashlib.sha256()
    digest.update(np.ascontiguousarray(frame.ts, dtype="<i8").tobytes())
    for column in PRICE_COLUMNS:
        digest.update(np.ascontiguousarray(getattr(frame, column), dtype="<f8").tobytes())
    digest.update("\n".join(sources.tolist()).encode())
    return digest.hexdigest()


async def _archive_month(
    db: Database, root: Path, symbol: str, timeframe: str, month: datetime, cutoff: datetime
) -> ArchiveRecord | None:
    following = months_between(int(month.timestamp()), int(month.timestamp()) + 32 * 86_400)[1]
    end = min(following, cutoff)
    async with db.read() as connection:
        frame = await read_frame(connection, symbol, timeframe, start=month, end=end)
        sources = await read_sources(connection, symbol, timeframe, start=month, end=end)
    if not len(frame):
        return None
    expected = checksum(frame, sources)
    folder = f"symbol={symbol_to_path(symbol)}/timeframe={timeframe}/month={month:%Y-%m}"
    relative = f"{folder}/bars-{int(frame.ts[0])}-{int(frame.ts[-1])}.parquet"
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    _write(path, frame, sources, expected)
    _verify(path, *read_archive_file(path, symbol, timeframe), len(frame), expected)
    record = ArchiveRecord(
        symbol=symbol,
        timeframe=timeframe,
        first_ts=frame.first_time or month,
        last_ts=frame.last_time or month,
        row_count=len(frame),
        checksum=expected,
        path=relative,
        archived_at=datetime.now(UTC),
    )
    async with db.transaction() as connection:
        deleted = await delete_bars_between(connection, symbol, timeframe, start=month, end=end)
        if deleted != len(frame):
            raise ArchiveError(
                f"{symbol} {timeframe} {month:%Y-%m}: {deleted} rows to delete but {len(frame)} "
                "archived (bars changed meanwhile); nothing deleted, run the archive again"
            )
        await save_archive_record(connection, record)
    log.info("archived %d bars of %s %s to %s", len(frame), symbol, timeframe, relative)
    return record


def _write(path: Path, frame: BarFrame, sources: np.ndarray, digest: str) -> None:
    table = pa.table(
        {
            "ts": pa.array(frame.ts, pa.int64()).cast(pa.timestamp("s", tz="UTC")),
            **{c: pa.array(getattr(frame, c), pa.float64()) for c in PRICE_COLUMNS},
            "source": pa.array(sources.tolist(), pa.string()).dictionary_encode(),
        },
        metadata={"symbol": frame.symbol, "timeframe": frame.timeframe, "sha256": digest},
    )
    temporary = path.with_suffix(".parquet.tmp")
    pq.write_table(table, temporary, compression="zstd")
    temporary.replace(path)


def _verify(path: Path, frame: BarFrame, sources: np.ndarray, rows: int, digest: str) -> None:
    if len(frame) != rows or checksum(frame, sources) != digest:
        raise ArchiveError(
            f"archive file {path} does not match its record ({len(frame)} rows read, {rows} "
            "expected, or a different checksum); nothing was deleted or restored"
        )
