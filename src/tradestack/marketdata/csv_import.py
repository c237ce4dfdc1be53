"""Import OHLCV bars from CSV: every row checked, errors named by line, all or nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tradestack.domain.bar_frame import BarFrame
from tradestack.domain.market import Bar
from tradestack.marketdata.providers.files import read_bar_file

REQUIRED_COLUMNS = ("timestamp", "open", "high", "low", "close", "volume")


def read_csv_bars(path: Path, *, symbol: str, timeframe: str) -> list[Bar]:
    """Parse a CSV of bars; columns are matched by name, case-insensitively.

    Timestamps may be ISO 8601 (naive means UTC) or epoch seconds/milliseconds.
    Loads the whole file as ``Bar`` objects: for large files use
    ``providers.files.read_bar_file``, which streams.

    Raises
    ------
    DataImportError
        The file is missing or unreadable, a column is missing, or any row is
        bad; the message lists the bad rows by line number.
    """
    frames = list(read_bar_file(path, symbol=symbol, timeframe=timeframe))
    if not frames:
        return []
    return BarFrame.concat(frames).sorted().to_bars()


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
