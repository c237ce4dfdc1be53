"""Prove a copy: compare two databases table by table, row by row, in bounded memory.

Both sides are streamed in the same byte-wise primary-key order and merged: a
key on one side only is missing on the other, a key on both with different row
hashes is a differing row. Along the way each side's count, digest and sums of
numeric columns are built, so the proof can be printed and re-checked by hand.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Table

from tradestack.migrate.fingerprint import TableFingerprint
from tradestack.storage.database import Database
from tradestack.storage.inventory import stream_rows

EXAMPLES = 5

Pair = tuple[tuple[Any, ...], int]


@dataclass
class TableComparison:
    table: str
    source: TableFingerprint
    target: TableFingerprint
    missing_in_target: int = 0
    missing_in_source: int = 0
    differing: int = 0
    examples: list[str] = field(default_factory=list)

    @property
    def sums_differing(self) -> list[str]:
        return [
            name for name, value in self.source.sums.items() if value != self.target.sums.get(name)
        ]

    @property
    def ok(self) -> bool:
        return (
            self.source.rows == self.target.rows
            and self.source.digest == self.target.digest
            and not (self.missing_in_target or self.missing_in_source or self.differing)
            and not self.sums_differing
        )

    def note(self, text: str) -> None:
        if len(self.examples) < EXAMPLES:
            self.examples.append(text)


async def compare_databases(
    source: Database, target: Database, tables: Sequence[Table], *, batch_rows: int
) -> list[TableComparison]:
    """Compare every table of ``tables`` between the two databases."""
    out = []
    async with source.read() as left, target.read() as right:
        for table in tables:
            comparison = TableComparison(
                table=table.name,
                source=TableFingerprint.for_table(table, with_sums=True),
                target=TableFingerprint.for_table(table, with_sums=True),
            )
            await _merge(
                stream_rows(left, table, batch_rows=batch_rows, portable_order=True),
                stream_rows(right, table, batch_rows=batch_rows, portable_order=True),
                comparison,
            )
            out.append(comparison)
    return out


class _Side:
    def __init__(self, batches: AsyncIterator[Sequence[Sequence[Any]]], fp: TableFingerprint):
        self.batches = batches
        self.fingerprint = fp
        self.buffer: deque[Pair] = deque()
        self.exhausted = False

    @property
    def needs_rows(self) -> bool:
        return not self.buffer and not self.exhausted

    async def fill(self) -> None:
        batch = await anext(self.batches, None)
        if batch is None:
            self.exhausted = True
        else:
            self.buffer.extend(self.fingerprint.add_keyed(batch))


async def _merge(
    left_batches: AsyncIterator[Sequence[Sequence[Any]]],
    right_batches: AsyncIterator[Sequence[Sequence[Any]]],
    comparison: TableComparison,
) -> None:
    left = _Side(left_batches, comparison.source)
    right = _Side(right_batches, comparison.target)
    while True:
        await asyncio.gather(*(side.fill() for side in (left, right) if side.needs_rows))
        if left.needs_rows or right.needs_rows:
            continue
        if not left.buffer and not right.buffer:
            return
        _merge_buffers(left.buffer, right.buffer, comparison, left.exhausted, right.exhausted)


def _merge_buffers(
    left: deque[Pair],
    right: deque[Pair],
    comparison: TableComparison,
    left_done: bool,
    right_done: bool,
) -> None:
    while left and right:
        left_key, left_hash = left[0]
        right_key, right_hash = right[0]
        if left_key == right_key:
            left.popleft()
            right.popleft()
            if left_hash != right_hash:
                comparison.differing += 1
                comparison.note(f"differs: {_show(left_key)}")
        elif left_key < right_key:
            left.popleft()
            comparison.missing_in_target += 1
            comparison.note(f"missing in target: {_show(left_key)}")
        else:
            right.popleft()
            comparison.missing_in_source += 1
            comparison.note(f"only in target: {_show(right_key)}")
    if right_done and not right:
        comparison.missing_in_target += len(left)
        for key, _ in list(left)[:EXAMPLES]:
            comparison.note(f"missing in target: {_show(key)}")
        left.clear()
    if left_done and not left:
        comparison.missing_in_source += len(right)
        for key, _ in list(right)[:EXAMPLES]:
            comparison.note(f"only in target: {_show(key)}")
        right.clear()


def _show(key: tuple[Any, ...]) -> str:
    return ", ".join(str(value) for value in key) if len(key) > 1 else str(key[0])


def total(value: Decimal | float | int) -> str:
    """Render a column sum for the proof table."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if not value.is_zero() else "0"
    if isinstance(value, float):
        return f"{value:.10g}"
    return str(value)
