"""Fingerprints of table contents that compare equal across SQLite and PostgreSQL.

A row is rendered to canonical text (Decimal without trailing zeros, datetimes
in UTC ISO 8601, JSON with sorted keys, floats by ``repr``) and hashed to 64
bits; a table's digest is the sum of its row hashes modulo 2**64. The sum does
not depend on row order, so a backup, its restore and a moved copy can be
compared however each engine happens to return rows, in bounded memory.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from hashlib import blake2b
from operator import attrgetter
from typing import Any

from sqlalchemy import Table

from tradestack.storage.inventory import key_columns, python_type

_MASK = (1 << 64) - 1
_NULL = "\x00"


def _decimal(value: Decimal) -> str:
    if value.is_zero():
        return "0"
    return format(value.normalize(), "f")


def _datetime(value: datetime) -> str:
    if value.tzinfo is None:
        return value.isoformat() + "+00:00"
    return value.astimezone(UTC).isoformat()


def _json(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


_CANONICAL: dict[type, Callable[[Any], str]] = {
    str: str,
    int: str,
    float: repr,
    bool: lambda value: "true" if value else "false",
    Decimal: _decimal,
    datetime: _datetime,
    date: date.isoformat,
    time: time.isoformat,
    dict: _json,
    list: _json,
    bytes: bytes.hex,
}


def canonical(value: object) -> str:
    """Render one value as engine-independent text."""
    if value is None:
        return _NULL
    convert = _CANONICAL.get(type(value))
    return convert(value) if convert is not None else str(value)


def row_hash(row: Sequence[Any]) -> int:
    """Hash one row (the slow, obvious form of what ``TableFingerprint`` does per batch)."""
    return _hash("\x1f".join([canonical(value) for value in row]))


def _hash(text: str) -> int:
    return int.from_bytes(blake2b(text.encode(), digest_size=8).digest(), "little")


def _column_text(values: Sequence[Any]) -> Sequence[str]:
    """Render one column of a batch; whole columns of one plain type go through C-level ``map``."""
    kinds = set(map(type, values))
    if len(kinds) == 1:
        kind = kinds.pop()
        if kind is str:
            return values
        if kind is datetime:
            zones = set(map(_tzinfo, values))
            if zones == {UTC}:
                return list(map(datetime.isoformat, values))
            if zones == {None}:
                return [text + "+00:00" for text in map(datetime.isoformat, values)]
        elif kind in _FAST:
            return list(map(_FAST[kind], values))
    return [canonical(value) for value in values]


_FAST: dict[type, Callable[[Any], str]] = {int: int.__repr__, float: float.__repr__}
_tzinfo = attrgetter("tzinfo")


def row_hashes(rows: Sequence[Sequence[Any]]) -> list[int]:
    """Hash a batch of rows, column by column; equal to ``[row_hash(r) for r in rows]``."""
    if not rows:
        return []
    columns = [_column_text(column) for column in zip(*rows, strict=True)]
    return [_hash("\x1f".join(parts)) for parts in zip(*columns, strict=True)]


@dataclass
class TableFingerprint:
    """Row count, digest and per-column sums of one table, built batch by batch.

    Two ways in, never mixed on one fingerprint. ``add`` hashes each column's
    canonical text in stream order: the fast way, for backups, whose rows are
    always read in the same (byte-wise key) order. ``add_keyed`` hashes every
    row and sums the hashes, an order-free digest, and returns the row hashes
    for a row-by-row comparison: the way of ``db move``. Sums cover the non-key
    numeric columns; a person can check them by hand (``SELECT SUM(quantity)``).
    """

    table: str
    rows: int = 0
    digest_sum: int = 0
    sums: dict[str, Decimal | float | int] = field(default_factory=dict)
    _sum_positions: list[tuple[int, str]] = field(default_factory=list, repr=False)
    _key_positions: list[int] = field(default_factory=list, repr=False)
    _columns: list[Any] = field(default_factory=list, repr=False)

    @classmethod
    def for_table(cls, table: Table, *, with_sums: bool = False) -> TableFingerprint:
        fingerprint = cls(table=table.name)
        names = [column.name for column in table.columns]
        keys = {column.name for column in key_columns(table)}
        fingerprint._key_positions = [names.index(name) for name in names if name in keys]
        if with_sums:
            for position, column in enumerate(table.columns):
                if column.name not in keys and python_type(column) in (int, float, Decimal):
                    fingerprint._sum_positions.append((position, column.name))
                    fingerprint.sums[column.name] = 0
        return fingerprint

    @property
    def digest(self) -> str:
        if not self._columns:
            return f"{self.digest_sum:016x}"
        combined = blake2b(digest_size=8)
        for column in self._columns:
            combined.update(column.digest())
        return combined.hexdigest()

    def add(self, rows: Sequence[Sequence[Any]]) -> None:
        """Fold in the next batch of an ordered stream; batch sizes do not change the digest."""
        if not rows:
            return
        columns = list(zip(*rows, strict=True))
        if not self._columns:
            self._columns = [blake2b(digest_size=16) for _ in columns]
        for hasher, values in zip(self._columns, columns, strict=True):
            hasher.update(("\x1f".join(_column_text(values)) + "\x1f").encode())
        self._finish_batch(rows, self.digest_sum)

    def add_keyed(self, rows: Sequence[Sequence[Any]]) -> list[tuple[tuple[Any, ...], int]]:
        """Fold a batch of rows in; return each row's (key, hash) for a row-by-row comparison."""
        assert not self._columns, "add and add_keyed do not mix"
        hashes = row_hashes(rows)
        self._finish_batch(rows, self.digest_sum + sum(hashes))
        if len(self._key_positions) == 1:
            position = self._key_positions[0]
            keys = [(row[position],) for row in rows]
        else:
            keys = [tuple([row[i] for i in self._key_positions]) for row in rows]
        return list(zip(keys, hashes, strict=True))

    def _finish_batch(self, rows: Sequence[Sequence[Any]], total: int) -> None:
        self.digest_sum = total & _MASK
        self.rows += len(rows)
        for position, name in self._sum_positions:
            values = [row[position] for row in rows if row[position] is not None]
            if values:
                self.sums[name] = self.sums[name] + sum(values)
