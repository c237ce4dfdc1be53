"""Where legacy rows come from: a folder of CSV exports or an older system's database."""

from __future__ import annotations

import csv
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

from tradestack.errors import LegacyImportError
from tradestack.storage.database import Database
from tradestack.storage.repositories.legacy import read_source_table

BATCH_ROWS = 1_000
Numbered = tuple[int, dict[str, Any]]


class LegacySource:
    """Rows of the named legacy tables, numbered as a person finds them (CSV line, table row)."""

    def __init__(self, location: str) -> None:
        self.location = location
        self.is_database = "://" in location
        if not self.is_database and not Path(location).is_dir():
            raise LegacyImportError(f"{location} is neither a folder of CSV files nor a database")

    def describe(self, name: str) -> str:
        return f"table {name}" if self.is_database else f"{name}.csv"

    async def exists(self, name: str) -> bool:
        if not self.is_database:
            return (Path(self.location) / f"{name}.csv").is_file()
        db = Database(self.location)
        try:
            async with db.read() as connection:
                return await read_source_table(connection, name, batch_rows=1) is not None
        finally:
            await db.dispose()

    async def rows(self, name: str) -> AsyncIterator[list[Numbered]]:
        """Yield batches of (number, row); CSV numbers are file lines, the header being 1."""
        if not self.is_database:
            for batch in _csv_batches(Path(self.location) / f"{name}.csv"):
                yield batch
            return
        db = Database(self.location)
        try:
            async with db.read() as connection:
                stream = await read_source_table(connection, name, batch_rows=BATCH_ROWS)
                number = 0
                async for rows in stream or _nothing():
                    yield [(number := number + 1, row) for row in rows]
        finally:
            await db.dispose()


async def _nothing() -> AsyncIterator[list[dict[str, Any]]]:
    return
    yield


def _csv_batches(path: Path) -> Iterator[list[Numbered]]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as source:
            reader = csv.DictReader(source)
            batch: list[Numbered] = []
            for row in reader:
                batch.append((reader.line_num, dict(row)))
                if len(batch) >= BATCH_ROWS:
                    yield batch
                    batch = []
            if batch:
                yield batch
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise LegacyImportError(f"cannot read {path}: {error}") from None
