"""What a database holds: its data tables (typed where the schema knows them), counts, row streams.

Backups, restores, moves and checks all read tables through here, so a value
reads back as the same Python object (Decimal, aware datetime, dict) on SQLite
and PostgreSQL whenever the table matches this release's schema.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from typing import Any

from sqlalchemy import (
    Column,
    MetaData,
    String,
    Table,
    func,
    inspect,
    select,
    text,
    tuple_,
    type_coerce,
)
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import NullType, TypeDecorator

from tradestack.storage.fast_rows import convert_rows, fast_result_columns, result_converters
from tradestack.storage.tables import metadata

VERSION_TABLE = "alembic_version"
MOVE_MARKER_TABLE = "_tradestack_move"
# Bookkeeping of the migration toolkit itself: never counted as data.
TOOLKIT_TABLES = frozenset({VERSION_TABLE, MOVE_MARKER_TABLE})


async def table_names(connection: AsyncConnection) -> list[str]:
    """Return every table name in the connection's default schema, sorted."""
    return sorted(await connection.run_sync(lambda c: inspect(c).get_table_names()))


async def data_tables(connection: AsyncConnection) -> list[Table]:
    """Return the data tables (not the toolkit's own), sorted by name.

    A table whose columns match this release's schema is returned typed
    (``tables.metadata``); any other is reflected from the database as it is.
    """
    return await connection.run_sync(_data_tables)


def _data_tables(connection: Connection) -> list[Table]:
    inspector = inspect(connection)
    reflected = MetaData()
    out: list[Table] = []
    partitions = _partitions(connection)
    for name in sorted(inspector.get_table_names()):
        if name in TOOLKIT_TABLES or name in partitions:
            continue
        known = metadata.tables.get(name)
        columns = {column["name"] for column in inspector.get_columns(name)}
        if known is not None and columns == set(known.columns.keys()):
            out.append(known)
        else:
            out.append(Table(name, reflected, autoload_with=connection))
    return out


def _partitions(connection: Connection) -> set[str]:
    """PostgreSQL partitions of a partitioned table: their rows are read through the parent."""
    if connection.dialect.name != "postgresql":
        return set()
    rows = connection.execute(
        text("SELECT relname FROM pg_class WHERE relispartition AND relkind IN ('r', 'p')")
    )
    return {row[0] for row in rows}


def python_type(column: Column[Any]) -> type | None:
    """Return the Python type a column reads back as (None when the type does not say)."""
    column_type = column.type
    if isinstance(column_type, TypeDecorator):
        column_type = column_type.impl_instance
    try:
        return column_type.python_type
    except NotImplementedError:
        return None


def key_columns(table: Table) -> list[Column[Any]]:
    """Return the primary key columns, or every column for a table without one."""
    return list(table.primary_key.columns) or list(table.columns)


async def count_rows(connection: AsyncConnection, table: Table) -> int:
    result = await connection.execute(select(func.count()).select_from(table))
    return int(result.scalar_one())


async def stream_rows(
    connection: AsyncConnection,
    table: Table,
    *,
    batch_rows: int,
    portable_order: bool = False,
    after: Sequence[Any] | None = None,
) -> AsyncIterator[Sequence[Sequence[Any]]]:
    """Yield the table's rows in batches, ordered by primary key, memory bounded.

    ``portable_order`` sorts text keys byte-wise on PostgreSQL (collation "C"), the
    order SQLite uses, so two databases can be compared row by row; otherwise the
    primary key index order of the database is used. ``after`` resumes strictly
    after a key taken from an earlier stream with the same ``portable_order``.
    """
    keys = key_columns(table)
    ordered = [_ordered(column, connection, portable_order) for column in keys]
    raw = fast_result_columns(table, connection.dialect)
    selected = [
        type_coerce(column, NullType()).label(column.name) if read_raw else column
        for column, read_raw in zip(table.columns, raw, strict=True)
    ]
    converters = result_converters(table, connection.dialect)
    query = select(*selected).order_by(*ordered)
    if after is not None:
        if len(keys) == 1:
            query = query.where(ordered[0] > after[0])
        else:
            query = query.where(tuple_(*ordered) > tuple_(*after))
    result = await connection.stream(query.execution_options(yield_per=batch_rows))
    async for partition in result.partitions(batch_rows):
        yield convert_rows(partition, converters) if any(raw) else partition


def _ordered(
    column: Column[Any], connection: AsyncConnection, portable: bool
) -> ColumnElement[Any]:
    if portable and connection.dialect.name == "postgresql" and isinstance(column.type, String):
        return column.collate("C")
    return column


@contextlib.asynccontextmanager
async def consistent_read(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """Open a transaction that sees one snapshot of the whole database while it lasts.

    On PostgreSQL it is REPEATABLE READ, read only; SQLite gives no such promise
    across statements, so stop writers while a portable dump of it runs.
    """
    async with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection = await connection.execution_options(isolation_level="REPEATABLE READ")
        async with connection.begin():
            yield connection


async def export_snapshot(connection: AsyncConnection) -> str | None:
    """Export the transaction's snapshot for ``pg_dump --snapshot`` (None on SQLite)."""
    if connection.dialect.name != "postgresql":
        return None
    return str((await connection.execute(text("SELECT pg_export_snapshot()"))).scalar_one())
