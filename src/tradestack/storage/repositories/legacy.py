"""Rows imported from older systems: the insert, the ``legacy_records`` trail, reading them back."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import MetaData, Table, select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection

from tradestack.storage.database import insert_for
from tradestack.storage.inventory import key_columns, table_names
from tradestack.storage.tables import legacy_records, metadata

_LOOKUP_BATCH = 500


def target_key(table: str, values: dict[str, Any]) -> str:
    """Render the primary key of a row as the text kept in ``legacy_records.target_key``."""
    return json.dumps([values[column.name] for column in key_columns(metadata.tables[table])])


async def imported_ids(connection: AsyncConnection, source_table: str) -> set[str]:
    """Return the original ids already imported from ``source_table``."""
    query = select(legacy_records.c.original_id).where(
        legacy_records.c.source_table == source_table
    )
    return set((await connection.execute(query)).scalars())


async def insert_new(
    connection: AsyncConnection, table: str, rows: Sequence[dict[str, Any]]
) -> list[str]:
    """Insert rows whose key is free; return the target keys of those inserted.

    A table with a generated id (signals) always inserts and returns the new ids.
    """
    if not rows:
        return []
    target = metadata.tables[table]
    keys = key_columns(target)
    if keys[0].autoincrement is True:
        statement = target.insert().returning(*keys, sort_by_parameter_order=True)
        result = await connection.execute(statement, list(rows))
        return [json.dumps(list(row)) for row in result.all()]
    statement = (
        insert_for(connection, target)
        .on_conflict_do_nothing(index_elements=[column.name for column in keys])
        .returning(*keys)
    )
    result = await connection.execute(statement, list(rows))
    return [json.dumps(list(row)) for row in result.all()]


async def record_imports(
    connection: AsyncConnection,
    *,
    source_table: str,
    target_table: str,
    import_id: str,
    keys: Sequence[tuple[str, str]],
) -> None:
    """Keep (original id, target key) pairs of rows just imported."""
    now = datetime.now(UTC)
    await connection.execute(
        legacy_records.insert(),
        [
            {
                "source_table": source_table,
                "original_id": original_id,
                "target_table": target_table,
                "target_key": key,
                "import_id": import_id,
                "imported_at": now,
            }
            for original_id, key in keys
        ],
    )


async def imported_rows(
    connection: AsyncConnection, source_table: str
) -> AsyncIterator[list[dict[str, Any]]]:
    """Yield, in batches, the tradestack rows that came from ``source_table``."""
    query = select(legacy_records.c.target_table, legacy_records.c.target_key).where(
        legacy_records.c.source_table == source_table
    )
    pairs = (await connection.execute(query)).all()
    for start in range(0, len(pairs), _LOOKUP_BATCH):
        chunk = pairs[start : start + _LOOKUP_BATCH]
        target = metadata.tables[chunk[0].target_table]
        keys = key_columns(target)
        values = [tuple(json.loads(pair.target_key)) for pair in chunk]
        condition = (
            keys[0].in_([value[0] for value in values])
            if len(keys) == 1
            else tuple_(*keys).in_(values)
        )
        rows = (await connection.execute(select(target).where(condition))).mappings().all()
        yield [dict(row) for row in rows]


async def read_source_table(
    connection: AsyncConnection, name: str, *, batch_rows: int
) -> AsyncIterator[list[dict[str, Any]]] | None:
    """Stream a table of an older system's database as dicts; None when it has no such table."""
    if name not in await table_names(connection):
        return None
    table = await connection.run_sync(lambda sync: Table(name, MetaData(), autoload_with=sync))
    return _stream(connection, table, batch_rows)


async def _stream(
    connection: AsyncConnection, table: Table, batch_rows: int
) -> AsyncIterator[list[dict[str, Any]]]:
    result = await connection.stream(select(table).execution_options(yield_per=batch_rows))
    async for partition in result.mappings().partitions(batch_rows):
        yield [dict(row) for row in partition]
