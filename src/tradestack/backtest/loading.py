"""Load the bars of a backtest from a CSV or Parquet file, or from the stored bars.

CSV goes through the same row-checked reader as ``tradestack data import``;
Parquet is read column-wise with pyarrow and checked with the same rules, in
bulk. Every problem is a DataImportError naming the file.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np

from tradestack.backtest.series import BarSeries
from tradestack.domain.timeframes import Timeframe
from tradestack.errors import DataImportError
from tradestack.marketdata.csv_import import REQUIRED_COLUMNS, read_csv_bars
from tradestack.storage.database import Database
from tradestack.storage.repositories.bars import bars_between

_TIME_ALIASES = ("timestamp", "time", "date", "datetime", "ts")


def load_file(path: Path, *, symbol: str, timeframe: str) -> BarSeries:
    """Read ``path`` (``.parquet``/``.pq`` as Parquet, anything else as CSV).

    Raises
    ------
    DataImportError
        The file is missing, unreadable, lacks a column, or has a bad row.
    """
    label = _timeframe(timeframe)
    if not path.is_file():
        raise DataImportError(f"data file {path} does not exist")
    if path.suffix.lower() in {".parquet", ".pq"}:
        series = _read_parquet(path, symbol=symbol, timeframe=label)
    else:
        bars = read_csv_bars(path, symbol=symbol, timeframe=label)
        if not bars:
            raise DataImportError(f"{path} has no bars")
        series = BarSeries.from_bars(bars)
    return series


async def load_stored(
    db: Database,
    *,
    symbol: str,
    timeframe: str,
    start: datetime | None = None,
    end: datetime | None = None,
) -> BarSeries:
    """Read stored bars with ``start <= ts < end``; raise DataImportError when there are none."""
    label = _timeframe(timeframe)
    async with db.read() as connection:
        bars = await bars_between(connection, symbol, label, start=start, end=end)
    if not bars:
        raise DataImportError(
            f"no stored bars for {symbol} {label} in that range "
            "(import some with `tradestack data import` or pass --data FILE)"
        )
    return BarSeries.from_bars(bars)


def _timeframe(timeframe: str) -> str:
    try:
        return Timeframe.parse(timeframe).label
    except ValueError as error:
        raise DataImportError(str(error)) from None


def _read_parquet(path: Path, *, symbol: str, timeframe: str) -> BarSeries:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException) as error:
        raise DataImportError(f"cannot read {path} as Parquet: {error}") from None
    by_name = {name.strip().lower(): name for name in table.column_names}
    time_name = next((by_name[a] for a in _TIME_ALIASES if a in by_name), None)
    missing = [c for c in REQUIRED_COLUMNS[1:] if c not in by_name]
    if time_name is None or missing:
        missing = (["timestamp"] if time_name is None else []) + missing
        raise DataImportError(
            f"{path}: missing column(s) {', '.join(missing)}; "
            f"columns are {', '.join(table.column_names)}"
        )
    stamps = table.column(time_name)
    if pa.types.is_timestamp(stamps.type):
        if stamps.type.tz is None:
            stamps = pc.assume_timezone(stamps, "UTC")
        micros = pc.cast(stamps, pa.timestamp("us", tz="UTC")).to_numpy().astype("datetime64[us]")
    elif pa.types.is_integer(stamps.type) or pa.types.is_floating(stamps.type):
        numbers = stamps.to_numpy().astype(np.float64)
        seconds = np.where(numbers > 1e11, numbers / 1000, numbers)
        micros = (seconds * 1e6).round().astype("int64").astype("datetime64[us]")
    else:
        raise DataImportError(f"{path}: column {time_name} is neither a timestamp nor a number")
    try:
        columns = [
            table.column(by_name[c]).to_numpy().astype(np.float64) for c in REQUIRED_COLUMNS[1:]
        ]
    except (pa.ArrowException, ValueError, TypeError) as error:
        raise DataImportError(f"{path}: a price or volume column is not numeric: {error}") from None
    series = BarSeries.from_arrays(symbol, timeframe, micros, columns)
    check_series(series, str(path))
    return series


def check_series(series: BarSeries, source: str) -> None:
    """Apply the CSV importer's rules to whole columns; raise DataImportError on the first."""
    if len(series) == 0:
        raise DataImportError(f"{source} has no bars")
    o, h, lo, c, v = series.open, series.high, series.low, series.close, series.volume
    problems = {
        "a value that is not finite": ~np.isfinite(np.stack([o, h, lo, c, v])).all(axis=0),
        "a negative volume": v < 0,
        "a price that is not positive": np.minimum(np.minimum(o, h), np.minimum(lo, c)) <= 0,
        "a high below open, close or low": h < np.maximum(np.maximum(o, c), lo),
        "a low above open or close": lo > np.minimum(o, c),
    }
    for what, bad in problems.items():
        if bad.any():
            row = int(np.argmax(bad))
            raise DataImportError(
                f"{source}: {int(bad.sum())} row(s) with {what}, first at row {row + 1}"
            )
    steps = np.diff(series.ts.astype("int64"))
    if (steps <= 0).any():
        row = int(np.argmax(steps <= 0)) + 2
        raise DataImportError(f"{source}: timestamps not strictly ascending at row {row}")
    seconds = Timeframe.parse(series.timeframe).seconds
    unaligned = series.ts.astype("int64") % (seconds * 1_000_000) != 0
    if unaligned.any():
        row = int(np.argmax(unaligned)) + 1
        raise DataImportError(
            f"{source}: {int(unaligned.sum())} timestamp(s) not aligned to {series.timeframe}, "
            f"first at row {row}"
        )
