"""The ``_tradestack_move`` marker: a database being filled by ``tradestack db move``.

The marker table is created before anything else in the target and dropped in
the same transaction that writes the schema revision back, as the very last
step. While it exists the target has no revision and says which move it is
part of, so a killed move never looks like a complete database. Its rows also
record, per table, how far the copy got, committed with each batch.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BigInteger, Column, MetaData, String, Table, Text, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from tradestack.storage.database import upsert
from tradestack.storage.inventory import MOVE_MARKER_TABLE, VERSION_TABLE, table_names
from tradestack.storage.types import UtcDateTime

_MOVE_ROW = "*"

marker = Table(
    MOVE_MARKER_TABLE,
    MetaData(),
    Column("item", String(128), primary_key=True),
    Column("phase", String(16), nullable=False),
    Column("source_url", Text),
    Column("revision", String(64)),
    Column("rows_copied", BigInteger, nullable=False),
    Column("last_key", Text),
    Column("updated_at", UtcDateTime(), nullable=False),
)


@dataclass(frozen=True, slots=True)
class TableProgress:
    rows_copied: int
    last_key: list[Any] | None
    done: bool


@dataclass(frozen=True, slots=True)
class MoveState:
    """``phase`` is ``schema`` (creating tables) or ``copy`` (copying rows)."""

    phase: str
    source_url: str | None
    revision: str | None
    tables: dict[str, TableProgress] = field(default_factory=dict)


async def read_move(connection: AsyncConnection) -> MoveState | None:
    """Return the state of an unfinished move into this database, or None."""
    if MOVE_MARKER_TABLE not in await table_names(connection):
        return None
    rows = (await connection.execute(select(marker))).all()
    head = next((row for row in rows if row.item == _MOVE_ROW), None)
    tables = {
        row.item: TableProgress(
            rows_copied=int(row.rows_copied),
            last_key=json.loads(row.last_key) if row.last_key else None,
            done=row.phase == "done",
        )
        for row in rows
        if row.item != _MOVE_ROW
    }
    if head is None:
        return MoveState(phase="schema", source_url=None, revision=None, tables=tables)
    return MoveState(head.phase, head.source_url, head.revision, tables)


async def incomplete_move(connection: AsyncConnection) -> str | None:
    """Describe an unfinished move into this database (None when there is none)."""
    state = await read_move(connection)
    if state is None:
        return None
    source = state.source_url or "an unknown source"
    doing = "creating the schema" if state.phase == "schema" else "copying rows"
    return f"a move from {source} stopped while {doing}; run 'tradestack db move' again"


async def start_move(connection: AsyncConnection, source_url: str) -> None:
    """Create the marker (the first thing written to the target)."""
    await connection.run_sync(lambda sync: marker.create(sync, checkfirst=True))
    await _save(connection, _MOVE_ROW, phase="schema", source_url=source_url)


async def begin_copy(
    connection: AsyncConnection, source_url: str, revision: str, tables: list[str]
) -> None:
    """Enter the copy phase: take the revision away until the end, register each table."""
    if VERSION_TABLE in await table_names(connection):
        await connection.execute(text(f"DELETE FROM {VERSION_TABLE}"))
    await _save(connection, _MOVE_ROW, phase="copy", source_url=source_url, revision=revision)
    for name in tables:
        await _save(connection, name, phase="copying")


async def save_progress(
    connection: AsyncConnection, table: str, rows_copied: int, last_key: list[Any] | None
) -> None:
    """Record a committed batch; call in the transaction that inserted it."""
    key = json.dumps(last_key) if last_key is not None else None
    await _save(connection, table, phase="copying", rows_copied=rows_copied, last_key=key)


async def table_done(connection: AsyncConnection, table: str, rows_copied: int) -> None:
    await _save(connection, table, phase="done", rows_copied=rows_copied)


async def finish_move(connection: AsyncConnection, revision: str) -> None:
    """Write the revision back and drop the marker, together: the target is now complete."""
    await connection.execute(
        text(f"INSERT INTO {VERSION_TABLE} (version_num) VALUES (:revision)"),
        {"revision": revision},
    )
    await connection.run_sync(lambda sync: marker.drop(sync))


async def _save(connection: AsyncConnection, item: str, *, phase: str, **values: Any) -> None:
    row = {
        "item": item,
        "phase": phase,
        "source_url": values.get("source_url"),
        "revision": values.get("revision"),
        "rows_copied": values.get("rows_copied", 0),
        "last_key": values.get("last_key"),
        "updated_at": datetime.now(UTC),
    }
    await upsert(connection, marker, [row], keys=["item"])
