"""The files provider: CSV and Parquet bars, streamed in chunks, all or nothing per file.

Columns are found by name (any case, common aliases, or an explicit mapping),
naive timestamps are read in the file's time zone, and every bad row is
reported with its line (CSV) or row (Parquet) number. Chunks are yielded as
they pass so a caller can store them inside one transaction; if any row of the
file is bad the reader raises after the last chunk, and the caller's rollback
leaves nothing behind. Memory stays bounded by the chunk size.

A CSV is first read the fast way (pyarrow's streaming reader, typed columns,
no Python object per cell). Good files, the usual case, never leave that
path. At the first sign of trouble (a cell that is not a number, a bar that
breaks a quality rule, a repeated timestamp) the reader stops yielding and
reads the whole file again with ``file_checks``, which names every bad line.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from tradestack.domain.bar_frame import PRICE_COLUMNS, BarFrame
from tradestack.domain.timeframes import Timeframe
from tradestack.errors import DataImportError
from tradestack.marketdata.providers.file_checks import (
    Problems,
    SeenTimes,
    csv_chunks,
    csv_header,
    map_columns,
    parquet_chunks,
    validate,
)
from tradestack.marketdata.providers.timestamps import parse_times
from tradestack.marketdata.quality import OK, reason_codes

_BLOCK_BYTES = 2 << 20  # pyarrow reads CSV in blocks of this size (about 37k bars); it reads
# a few blocks ahead, so this also bounds its memory


@dataclass(frozen=True, slots=True)
class FileOptions:
    """How to read a file: ``columns`` maps our names (timestamp, open, ...) to the file's."""

    columns: Mapping[str, str] = field(default_factory=dict)
    timezone: str = "UTC"
    chunk_rows: int = 200_000


class _NeedsDiagnosis(Exception):
    """The fast CSV path met something wrong; the exact reader will say what and where."""


def read_bar_file(
    path: Path, *, symbol: str, timeframe: str, options: FileOptions | None = None
) -> Iterator[BarFrame]:
    """Yield the bars of a ``.csv`` or ``.parquet`` file in chunks, each sorted by time.

    Raises
    ------
    DataImportError
        The file is missing, unreadable or lacks a column (before any chunk),
        or some rows are bad (after the last chunk; the message lists them).
    """
    options = options or FileOptions()
    Timeframe.parse(timeframe)
    if not path.is_file():
        raise DataImportError(f"cannot read {path}: no such file")
    try:
        parse_times(pd.Series([], dtype="string"), options.timezone)
    except ValueError as error:
        raise DataImportError(str(error)) from None
    if path.suffix.lower() in {".parquet", ".pq"}:
        chunks = parquet_chunks(path, options.columns, options.chunk_rows)
        yield from _exact(path, chunks, "row", symbol, timeframe, options)
        return
    mapping = map_columns(csv_header(path), options.columns, path)
    seen = SeenTimes()
    try:
        yield from _fast_csv(path, mapping, symbol, timeframe, options, seen)
    except _NeedsDiagnosis:
        # Usually the exact reader raises naming the bad lines. If it finds the
        # file good after all, it supplies the bars the fast path did not.
        given = np.concatenate(seen.times) if seen.times else np.zeros(0, dtype=np.int64)
        chunks = csv_chunks(path, mapping, options.chunk_rows)
        for frame in _exact(path, chunks, "line", symbol, timeframe, options):
            rest = frame.take(~np.isin(frame.ts, given))
            if len(rest):
                yield rest


class FileProvider:
    """The files adapter of the provider port: one file is one series' history."""

    def __init__(self, path: Path, options: FileOptions | None = None) -> None:
        self.path = path
        self.options = options or FileOptions()
        self.source = f"file:{path.name}"[:32]

    async def history(
        self, symbol: str, timeframe: str, *, start: datetime | None, end: datetime | None
    ) -> AsyncIterator[BarFrame]:
        start_s = int(start.timestamp()) if start else None
        end_s = int(end.timestamp()) if end else None
        chunks = read_bar_file(self.path, symbol=symbol, timeframe=timeframe, options=self.options)
        sentinel = object()
        while (frame := await asyncio.to_thread(next, chunks, sentinel)) is not sentinel:
            assert isinstance(frame, BarFrame)
            part = frame.between(start_s, end_s)
            if len(part):
                yield part

    async def close(self) -> None:
        """Nothing to release: files are opened per read."""


def _exact(
    path: Path,
    chunks: Iterator[tuple[pd.DataFrame, int]],
    unit: str,
    symbol: str,
    timeframe: str,
    options: FileOptions,
) -> Iterator[BarFrame]:
    problems = Problems(unit)
    seen = SeenTimes()
    for table, first_line in chunks:
        frame, lines = validate(table, first_line, symbol, timeframe, options.timezone, problems)
        seen.add(frame.ts, lines)
        if not problems.count and len(frame):
            yield frame.sorted()
    for line, stamp in seen.duplicates():
        problems.add(line, f"duplicate timestamp {stamp}")
    problems.raise_if_any(path)


def _fast_csv(
    path: Path,
    mapping: dict[str, str],
    symbol: str,
    timeframe: str,
    options: FileOptions,
    seen: SeenTimes,
) -> Iterator[BarFrame]:
    columns = list(dict.fromkeys(mapping.values()))
    types = {name: pa.float64() for name in columns}
    types[mapping["timestamp"]] = pa.string()
    try:
        reader = pacsv.open_csv(
            path,
            read_options=pacsv.ReadOptions(block_size=_BLOCK_BYTES),
            convert_options=pacsv.ConvertOptions(include_columns=columns, column_types=types),
        )
    except (OSError, pa.ArrowException) as error:
        raise _NeedsDiagnosis from error
    while True:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            break
        except pa.ArrowException as error:
            raise _NeedsDiagnosis from error
        frame = _frame(batch, mapping, symbol, timeframe, options.timezone)
        if bool((reason_codes(frame) != OK).any()):
            raise _NeedsDiagnosis
        seen.add(frame.ts, np.zeros(0, dtype=np.int64))
        yield frame.sorted()
    if not seen.increasing and seen.has_repeats():
        raise _NeedsDiagnosis  # the exact reader names the repeated lines


def _frame(
    batch: pa.RecordBatch, mapping: dict[str, str], symbol: str, timeframe: str, timezone: str
) -> BarFrame:
    names = batch.schema.names
    stamps = batch.column(names.index(mapping["timestamp"]))
    if stamps.null_count:
        raise _NeedsDiagnosis
    try:
        numbers = pc.cast(stamps, pa.float64())
        times = parse_times(pd.Series(numbers.to_numpy(zero_copy_only=False)), timezone)
    except pa.ArrowInvalid:
        times = parse_times(stamps.to_pandas(), timezone)
    if bool(times.bad.any() or times.fractional.any()):
        raise _NeedsDiagnosis
    prices = [
        batch.column(names.index(mapping[c])).to_numpy(zero_copy_only=False) for c in PRICE_COLUMNS
    ]
    return BarFrame.from_arrays(symbol, timeframe, times.seconds, *prices)
