"""Exact, line-numbered checking of bar files: every bad row named by its line or row.

The slow, careful reader behind ``providers.files``: pandas reads every cell
as text so nothing is lost to type inference, each row is judged (timestamp,
numbers, then the quality rules) and the first few problems are kept with
their line numbers. ``files`` runs it for Parquet always and for CSV only when
its fast path meets something wrong.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from tradestack.domain.bar_frame import PRICE_COLUMNS, BarFrame
from tradestack.errors import DataImportError
from tradestack.marketdata.providers.timestamps import parse_times
from tradestack.marketdata.quality import MISALIGNED, OK, describe_row, reason_codes

REQUIRED_COLUMNS = ("timestamp", *PRICE_COLUMNS)
ALIASES = {
    "time": "timestamp",
    "date": "timestamp",
    "datetime": "timestamp",
    "ts": "timestamp",
    "open_time": "timestamp",
    "vol": "volume",
}
MAX_REPORTED = 20


class Problems:
    """Bad rows seen so far: a count and the first few messages, in file order."""

    def __init__(self, unit: str) -> None:
        self.unit = unit
        self.count = 0
        self.messages: list[tuple[int, str]] = []

    def add(self, line: int, message: str) -> None:
        self.count += 1
        if len(self.messages) < MAX_REPORTED:
            self.messages.append((line, message))

    def raise_if_any(self, path: Path) -> None:
        if not self.count:
            return
        shown = "; ".join(f"{self.unit} {n}: {m}" for n, m in sorted(self.messages))
        more = f" (and {self.count - len(self.messages)} more)" if self.count > MAX_REPORTED else ""
        raise DataImportError(f"{path}: {self.count} bad row(s), nothing imported: {shown}{more}")


def csv_header(path: Path) -> list[str]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            header = next(csv.reader(handle), None)
    except OSError as error:
        raise DataImportError(f"cannot read {path}: {error.strerror or error}") from None
    except UnicodeDecodeError as error:
        raise DataImportError(f"{path}: not UTF-8 text near byte {error.start}") from None
    if not header:
        raise DataImportError(f"{path} is empty")
    return header


def map_columns(header: list[str], explicit: Mapping[str, str], path: Path) -> dict[str, str]:
    found: dict[str, str] = {}
    for name in header:
        key = name.strip().lower()
        found.setdefault(ALIASES.get(key, key), name)
    for ours, theirs in explicit.items():
        if theirs not in header:
            raise DataImportError(
                f"{path}: mapped column {theirs!r} (for {ours}) is not in the file"
            )
        found[ours] = theirs
    missing = [c for c in REQUIRED_COLUMNS if c not in found]
    if missing:
        raise DataImportError(
            f"{path}: missing column(s) {', '.join(missing)}; header is {', '.join(header)}"
        )
    return {ours: found[ours] for ours in REQUIRED_COLUMNS}


def csv_chunks(
    path: Path, mapping: dict[str, str], chunk_rows: int
) -> Iterator[tuple[pd.DataFrame, int]]:
    """Chunks of text cells renamed to our column names, with the file line of their first row."""
    reader = pd.read_csv(
        path,
        usecols=list(dict.fromkeys(mapping.values())),
        dtype=str,
        na_filter=False,
        skip_blank_lines=False,
        encoding="utf-8-sig",
        chunksize=chunk_rows,
    )
    line = 2
    try:
        for chunk in reader:
            yield _rename(chunk, mapping), line
            line += len(chunk)
    except pd.errors.ParserError as error:
        raise DataImportError(
            f"{path}: {str(error).replace('Error tokenizing data. ', '')}"
        ) from None
    except UnicodeDecodeError as error:
        raise DataImportError(f"{path}: not UTF-8 text near byte {error.start}") from None


def parquet_chunks(
    path: Path, explicit: Mapping[str, str], chunk_rows: int
) -> Iterator[tuple[pd.DataFrame, int]]:
    """Chunks of a Parquet file renamed to our column names, with the number of their first row."""
    try:
        parquet = pq.ParquetFile(path)
    except (OSError, pa.ArrowException) as error:
        raise DataImportError(f"cannot read {path}: {error}") from None
    mapping = map_columns(parquet.schema_arrow.names, explicit, path)
    row = 1
    columns = list(dict.fromkeys(mapping.values()))
    for batch in parquet.iter_batches(batch_size=chunk_rows, columns=columns):
        yield _rename(batch.to_pandas(), mapping), row
        row += batch.num_rows


def _rename(table: pd.DataFrame, mapping: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame({ours: table[theirs] for ours, theirs in mapping.items()})


def validate(
    table: pd.DataFrame,
    first_line: int,
    symbol: str,
    timeframe: str,
    timezone: str,
    problems: Problems,
) -> tuple[BarFrame, np.ndarray]:
    """Parse one chunk; record bad rows in ``problems`` and return the good ones.

    Blank lines are skipped, not errors. A bad row is reported once, for the
    first problem found: the timestamp, then each number, then the quality rules.
    """
    lines = np.arange(first_line, first_line + len(table), dtype=np.int64)
    blank = _blank_rows(table)
    times = parse_times(table["timestamp"], timezone)
    unparsed: dict[str, np.ndarray] = {}
    texts: dict[str, pd.Series] = {}
    values = []
    for name in PRICE_COLUMNS:
        column = table[name]
        numbers = pd.to_numeric(column, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        texts[name] = column.astype("string").fillna("").str.strip()
        unparsed[name] = np.isnan(numbers) & ~texts[name].str.lower().eq("nan").to_numpy()
        values.append(numbers)
    frame = BarFrame.from_arrays(symbol, timeframe, times.seconds, *values)
    codes = reason_codes(frame)
    codes[times.fractional] = MISALIGNED
    bad = times.bad | (codes != OK)
    for mask in unparsed.values():
        bad |= mask
    bad &= ~blank
    room = MAX_REPORTED - len(problems.messages)
    for index in np.flatnonzero(bad)[: max(room, 0)].tolist():
        if times.bad[index]:
            message = _time_message(table["timestamp"].iloc[index])
        else:
            name = next((n for n in PRICE_COLUMNS if unparsed[n][index]), None)
            if name is not None:
                message = _number_message(name, texts[name].iloc[index])
            else:
                message = describe_row(int(codes[index]), frame, index)
        problems.messages.append((int(lines[index]), message))
    problems.count += int(bad.sum())
    keep = ~bad & ~blank
    return frame.take(keep), lines[keep]


def _blank_rows(table: pd.DataFrame) -> np.ndarray:
    blank = np.ones(len(table), dtype=bool)
    for name in table.columns:
        column = table[name]
        if column.dtype == object or pd.api.types.is_string_dtype(column.dtype):
            blank &= (column.astype("string").fillna("").str.strip() == "").to_numpy()
        else:
            blank &= column.isna().to_numpy()
    return blank


def _time_message(text: object) -> str:
    if not isinstance(text, str) or not text.strip():
        return "missing timestamp"
    return f"timestamp {text.strip()!r} is not ISO 8601 or epoch seconds"


def _number_message(name: str, text: object) -> str:
    if not isinstance(text, str) or not text:
        return f"missing value for {name}"
    return f"{name} {text!r} is not a number"


class SeenTimes:
    """Every accepted timestamp of the file, to find duplicates across chunks at the end.

    The fast path passes no line numbers (it only needs ``increasing``); the
    exact reader passes them to name the repeated lines.
    """

    def __init__(self) -> None:
        self.times: list[np.ndarray] = []
        self.lines: list[np.ndarray] = []
        self.increasing = True
        self.last: int | None = None

    def add(self, ts: np.ndarray, lines: np.ndarray) -> None:
        if not len(ts):
            return
        if self.increasing:
            ordered = bool(np.all(ts[1:] > ts[:-1]))
            self.increasing = ordered and (self.last is None or int(ts[0]) > self.last)
        self.last = int(ts[-1]) if self.last is None else max(self.last, int(ts.max()))
        self.times.append(ts)
        if len(lines):
            self.lines.append(lines.astype(np.int64))

    def has_repeats(self) -> bool:
        if self.increasing or not self.times:
            return False
        times = np.sort(np.concatenate(self.times))
        return bool(np.any(times[1:] == times[:-1]))

    def duplicates(self) -> list[tuple[int, str]]:
        if self.increasing or not self.times:
            return []
        times = np.concatenate(self.times)
        lines = np.concatenate(self.lines)
        order = np.lexsort((lines, times))
        repeat = np.flatnonzero(times[order][1:] == times[order][:-1]) + 1
        found = sorted((int(lines[order[i]]), int(times[order[i]])) for i in repeat)
        return [(line, pd.Timestamp(t, unit="s", tz="UTC").isoformat()) for line, t in found]
