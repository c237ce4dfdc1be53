"""Bulk writes for restores and moves: COPY on PostgreSQL, executemany on SQLite, table drops."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Integer, Table, inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection

from tradestack.storage.fast_rows import bind_converters, convert_rows


async def insert_rows(
    connection: AsyncConnection, table: Table, rows: Sequence[Sequence[Any]]
) -> None:
    """Insert rows given as value sequences in ``table.columns`` order, in the open transaction.

    Values are the Python objects the table's types read back (Decimal, aware
    datetime, dict), so rows streamed from one database go straight into another.
    """
    if not rows:
        return
    records = convert_rows(rows, bind_converters(table, connection.dialect))
    if connection.dialect.name == "postgresql":
        # The driver opens its transaction on the first statement: make sure COPY runs in it.
        await connection.execute(text("SELECT 1"))
        raw = await connection.get_raw_connection()
        await raw.driver_connection.copy_records_to_table(  # type: ignore[union-attr]
            table.name, records=records, columns=[column.name for column in table.columns]
        )
        return
    statement = str(table.insert().compile(dialect=connection.dialect))
    await connection.exec_driver_sql(statement, records)  # type: ignore[arg-type]


async def reset_sequences(connection: AsyncConnection, table: Table) -> None:
    """Move PostgreSQL's id sequence past the largest id copied in; nothing to do on SQLite."""
    if connection.dialect.name != "postgresql":
        return
    keys = list(table.primary_key.columns)
    if len(keys) != 1 or not isinstance(keys[0].type, Integer):
        return
    quote = connection.dialect.identifier_preparer.quote
    column, name = quote(keys[0].name), quote(table.name)
    await connection.execute(
        text(
            f"SELECT setval(pg_get_serial_sequence(:table, :column), "
            f"COALESCE(MAX({column}), 0) + 1, false) FROM {name}"
        ),
        {"table": table.name, "column": keys[0].name},
    )


async def delete_rows(connection: AsyncConnection, table: Table) -> None:
    await connection.execute(table.delete())


async def drop_all_tables(connection: AsyncConnection, *, keep: Sequence[str] = ()) -> list[str]:
    """Drop every table (and PostgreSQL enum type) of the default schema except ``keep``.

    Used before a restore so that nothing a failed migration created survives it.
    """
    return await connection.run_sync(_drop_all, tuple(keep))


def _drop_all(connection: Connection, keep: tuple[str, ...]) -> list[str]:
    inspector = inspect(connection)
    quote = connection.dialect.identifier_preparer.quote
    cascade = " CASCADE" if connection.dialect.name == "postgresql" else ""
    dropped = [name for name in inspector.get_table_names() if name not in keep]
    for name in dropped:
        connection.execute(text(f"DROP TABLE IF EXISTS {quote(name)}{cascade}"))
    if connection.dialect.name == "postgresql":
        for enum in inspector.get_enums():  # type: ignore[attr-defined]
            connection.execute(text(f"DROP TYPE IF EXISTS {quote(enum['name'])} CASCADE"))
    return dropped
