"""The portable dump: one gzip JSON-lines file per table, readable by any engine.

Used for PostgreSQL when ``pg_dump`` is not installed (and on request for any
database). A file starts with ``{"table": ..., "columns": [...]}``; every other
line is one row as a JSON array. Exact types travel as text: Decimal as its
digits, datetimes in ISO 8601, and are typed again from the table on reading.
"""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Column, Table

from tradestack.errors import BackupCorruptError
from tradestack.storage.inventory import python_type

Row = Sequence[Any]


def _encode(value: object) -> object:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    raise TypeError(f"cannot write {type(value).__name__} to a portable dump")


class DumpWriter:
    """Write one table's rows to ``path``; use as a context manager."""

    def __init__(self, path: Path, table: Table) -> None:
        self.path = path
        self.rows = 0
        self._file: IO[str] = gzip.open(path, "wt", compresslevel=1, encoding="utf-8")  # noqa: SIM115
        header = {"table": table.name, "columns": [column.name for column in table.columns]}
        self._file.write(json.dumps(header) + "\n")

    def write(self, rows: Sequence[Row]) -> None:
        self._file.write("".join(json.dumps(list(row), default=_encode) + "\n" for row in rows))
        self.rows += len(rows)

    def __enter__(self) -> DumpWriter:
        return self

    def __exit__(self, *_: object) -> None:
        self._file.close()


def read_rows(path: Path, table: Table, *, batch_rows: int) -> Iterator[list[tuple[Any, ...]]]:
    """Yield the rows of a dump file in batches, typed and ordered as ``table.columns``.

    Raises BackupCorruptError when the file is unreadable or its columns differ.
    """
    try:
        with gzip.open(path, "rt", encoding="utf-8") as source:
            order = _column_order(json.loads(source.readline()), table, path)
            decoders = [_decoder(column) for column in table.columns]
            lines: list[str] = []
            for line in source:
                lines.append(line)
                if len(lines) >= batch_rows:
                    yield _decode(lines, order, decoders)
                    lines = []
            if lines:
                yield _decode(lines, order, decoders)
    except (OSError, EOFError, ValueError, IndexError) as error:
        raise BackupCorruptError(f"dump file {path.name} is unreadable: {error}") from None


def _decode(
    lines: list[str], order: list[int], decoders: list[Callable[[Any], Any]]
) -> list[tuple[Any, ...]]:
    """Decode a batch column by column, so that whole columns go through C-level ``map``."""
    rows = json.loads("[" + ",".join(lines) + "]")
    columns = list(zip(*rows, strict=True))
    typed = []
    for position, decode in zip(order, decoders, strict=True):
        values = columns[position]
        if decode is _same:
            typed.append(values)
        elif None in values:
            typed.append([None if value is None else decode(value) for value in values])
        else:
            typed.append(list(map(decode, values)))
    return list(zip(*typed, strict=True))


def _column_order(header: dict[str, Any], table: Table, path: Path) -> list[int]:
    columns = list(header.get("columns", []))
    wanted = [column.name for column in table.columns]
    if sorted(columns) != sorted(wanted):
        raise BackupCorruptError(
            f"dump file {path.name} has columns {columns}, table {table.name} has {wanted}"
        )
    return [columns.index(name) for name in wanted]


def _decoder(column: Column[Any]) -> Callable[[Any], Any]:
    kind = python_type(column)
    if kind is Decimal:
        return Decimal
    if kind is datetime:
        return datetime.fromisoformat
    if kind is date:
        return date.fromisoformat
    if kind is time:
        return time.fromisoformat
    if kind is bytes:
        return base64.b64decode
    return _same


def _same(value: Any) -> Any:
    return value
