"""Import OHLCV bars from CSV: every row checked, errors named by line, all or nothing."""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from tradestack.domain.market import Bar
from tradestack.domain.timeframes import Timeframe
from tradestack.errors import DataImportError

REQUIRED_COLUMNS = ("timestamp", "open", "high", "low", "close", "volume")
_ALIASES = {
    "time": "timestamp",
    "date": "timestamp",
    "datetime": "timestamp",
    "ts": "timestamp",
    "vol": "volume",
}
_MAX_REPORTED = 20


@dataclass(frozen=True, slots=True)
class RowError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


def read_csv_bars(path: Path, *, symbol: str, timeframe: str) -> list[Bar]:
    """Parse a CSV of bars; columns are matched by name, case-insensitively.

    Timestamps may be ISO 8601 (naive means UTC) or epoch seconds/milliseconds.

    Raises
    ------
    DataImportError
        The file is missing or unreadable, a column is missing, or any row is
        bad; the message lists the bad rows by line number.
    """
    frame = Timeframe.parse(timeframe)
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as error:
        raise DataImportError(f"cannot read {path}: {error.strerror or error}") from None
    with handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            raise DataImportError(f"{path} is empty")
        columns = _column_positions(header, path)
        bars: list[Bar] = []
        errors: list[RowError] = []
        seen: set[datetime] = set()
        for line, row in enumerate(reader, start=2):
            if not row or all(not cell.strip() for cell in row):
                continue
            try:
                bar = _parse_row(row, columns, symbol, frame)
            except ValueError as error:
                errors.append(RowError(line, str(error)))
                continue
            if bar.ts in seen:
                errors.append(RowError(line, f"duplicate timestamp {bar.ts.isoformat()}"))
                continue
            seen.add(bar.ts)
            bars.append(bar)
    if errors:
        shown = "; ".join(str(e) for e in errors[:_MAX_REPORTED])
        more = f" (and {len(errors) - _MAX_REPORTED} more)" if len(errors) > _MAX_REPORTED else ""
        raise DataImportError(f"{path}: {len(errors)} bad row(s), nothing imported: {shown}{more}")
    bars.sort(key=lambda b: b.ts)
    return bars


def _column_positions(header: list[str], path: Path) -> dict[str, int]:
    positions: dict[str, int] = {}
    for index, name in enumerate(header):
        key = name.strip().lower()
        key = _ALIASES.get(key, key)
        positions.setdefault(key, index)
    missing = [c for c in REQUIRED_COLUMNS if c not in positions]
    if missing:
        raise DataImportError(
            f"{path}: missing column(s) {', '.join(missing)}; header is {', '.join(header)}"
        )
    return positions


def _parse_row(row: list[str], columns: dict[str, int], symbol: str, frame: Timeframe) -> Bar:
    def cell(name: str) -> str:
        index = columns[name]
        if index >= len(row):
            raise ValueError(f"missing value for {name}")
        return row[index].strip()

    ts = parse_timestamp(cell("timestamp"))
    if not frame.is_aligned(ts):
        raise ValueError(f"timestamp {ts.isoformat()} is not aligned to {frame}")
    values = {}
    for name in ("open", "high", "low", "close", "volume"):
        text = cell(name)
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"{name} {text!r} is not a number") from None
        if not math.isfinite(number):
            raise ValueError(f"{name} {text!r} is not finite")
        values[name] = number
    if values["volume"] < 0:
        raise ValueError(f"volume {values['volume']} is negative")
    if min(values["open"], values["high"], values["low"], values["close"]) <= 0:
        raise ValueError("prices must be positive")
    if values["high"] < max(values["open"], values["close"], values["low"]):
        raise ValueError(f"high {values['high']} is below open, close or low")
    if values["low"] > min(values["open"], values["close"]):
        raise ValueError(f"low {values['low']} is above open or close")
    return Bar(
        symbol,
        frame.label,
        ts,
        values["open"],
        values["high"],
        values["low"],
        values["close"],
        values["volume"],
    )


def parse_timestamp(text: str) -> datetime:
    """Parse ISO 8601 or epoch seconds/milliseconds into an aware UTC datetime."""
    if not text:
        raise ValueError("missing timestamp")
    try:
        number = float(text)
    except ValueError:
        number = None
    if number is not None:
        seconds = number / 1000 if number > 1e11 else number
        return datetime.fromtimestamp(seconds, tz=UTC)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"timestamp {text!r} is not ISO 8601 or epoch seconds") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
