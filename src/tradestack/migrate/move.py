"""``db move``: copy every table from one database to another, resumable, then prove the copy.

Order of work in the target: the ``_tradestack_move`` marker first, then the
schema through the migrations, then rows table by table in primary-key order,
each batch committed together with the key it reached; a run after a crash
carries on after that key. Only when the comparison with the source finds no
difference is the revision written back and the marker dropped.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Table
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection

from tradestack.errors import MoveError
from tradestack.migrate.bulk_mode import collector_paused
from tradestack.migrate.move_verify import TableComparison, compare_databases
from tradestack.storage import bulk, migrations, move_state
from tradestack.storage.database import Database
from tradestack.storage.engine import describe_url
from tradestack.storage.inventory import count_rows, data_tables, key_columns, stream_rows
from tradestack.storage.tables import metadata

logger = logging.getLogger(__name__)

BATCH_ROWS = 20_000


class MoveProgress(Protocol):
    """What a move reports while it copies (the CLI draws progress bars from it)."""

    def table_started(self, table: str, total: int, done: int) -> None: ...

    def rows_copied(self, table: str, rows: int) -> None: ...


class _Silent:
    def table_started(self, table: str, total: int, done: int) -> None:
        pass

    def rows_copied(self, table: str, rows: int) -> None:
        pass


@dataclass
class MoveResult:
    source: str
    target: str
    revision: str
    resumed: bool
    rows_copied: int = 0
    copy_seconds: float = 0.0
    verify_seconds: float = 0.0
    comparisons: list[TableComparison] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(comparison.ok for comparison in self.comparisons)


async def move_database(
    source_url: str,
    target_url: str,
    *,
    batch_rows: int = BATCH_ROWS,
    restart: bool = False,
    progress: MoveProgress | None = None,
) -> MoveResult:
    """Copy the database at ``source_url`` into ``target_url``; see the module docstring.

    Raises MoveError when the move cannot start (same database, source not at
    the newest revision, target holding other data). A copy that does not
    match is returned with ``ok`` False and the target left marked incomplete.
    """
    if _same_database(source_url, target_url):
        raise MoveError("the target is the configured database itself; give another URL")
    source, target = Database(source_url), Database(target_url)
    try:
        with collector_paused():
            return await _move(source, target, batch_rows, restart, progress or _Silent())
    finally:
        await source.dispose()
        await target.dispose()


def _same_database(first: str, second: str) -> bool:
    a, b = make_url(first), make_url(second)
    if a.drivername.startswith("sqlite") and b.drivername.startswith("sqlite"):
        return Path(a.database or "").resolve() == Path(b.database or "").resolve()
    return (a.host, a.port, a.database) == (b.host, b.port, b.database)


async def _move(
    source: Database, target: Database, batch_rows: int, restart: bool, progress: MoveProgress
) -> MoveResult:
    await source.check()
    await target.check()
    revision, tables = await _source_tables(source)
    result = MoveResult(describe_url(source.url), describe_url(target.url), revision, False)
    result.resumed = await _prepare_target(target, result, restart, [t.name for t in tables])
    started = time.perf_counter()
    async with target.read() as connection:
        state = await move_state.read_move(connection)
    assert state is not None
    for table in tables:
        done = state.tables.get(table.name) or move_state.TableProgress(0, None, False)
        result.rows_copied += await _copy_table(source, target, table, done, batch_rows, progress)
    result.copy_seconds = time.perf_counter() - started
    started = time.perf_counter()
    result.comparisons = await compare_databases(source, target, tables, batch_rows=batch_rows)
    result.verify_seconds = time.perf_counter() - started
    if result.ok:
        async with target.transaction() as connection:
            await move_state.finish_move(connection, revision)
    return result


async def _source_tables(source: Database) -> tuple[str, list[Table]]:
    async with source.read() as connection:
        revision = await migrations.revision_of(connection)
        if await move_state.read_move(connection) is not None:
            raise MoveError("the source is itself the target of an unfinished move")
        tables = await data_tables(connection)
    head = migrations.head()
    if revision != head:
        raise MoveError(
            f"the source is at revision {revision or 'none'}, this release writes {head}: "
            "run 'tradestack db upgrade' on it first"
        )
    unknown = [table.name for table in tables if table.metadata is not metadata]
    if unknown:
        raise MoveError(f"the source has tables this release does not know: {', '.join(unknown)}")
    return revision, tables


async def _prepare_target(
    target: Database, result: MoveResult, restart: bool, tables: list[str]
) -> bool:
    """Start a fresh move into ``target`` or find the one to resume; return True when resuming."""
    async with target.transaction() as connection:
        state = await move_state.read_move(connection)
        if state is not None and state.source_url not in (None, result.source):
            raise MoveError(
                f"the target is filled by a move from {state.source_url}, not {result.source}"
            )
        if state is None:
            await _require_empty(connection)
        resuming = state is not None and state.phase == "copy" and not restart
        if resuming:
            return True
        await bulk.drop_all_tables(connection, keep=[move_state.MOVE_MARKER_TABLE])
        await move_state.start_move(connection, result.source)
    await migrations.upgrade(target.engine, result.revision)
    async with target.transaction() as connection:
        await move_state.begin_copy(connection, result.source, result.revision, tables)
    return False


async def _require_empty(connection: AsyncConnection) -> None:
    for table in await data_tables(connection):
        if await count_rows(connection, table):
            raise MoveError(
                f"the target already holds data (table {table.name}); "
                "a move only fills an empty database"
            )


async def _copy_table(
    source: Database,
    target: Database,
    table: Table,
    done: move_state.TableProgress,
    batch_rows: int,
    progress: MoveProgress,
) -> int:
    if done.done:
        return 0
    copied, after = done.rows_copied, done.last_key
    if copied and after is None:  # progress without a usable key: start this table again
        async with target.transaction() as connection:
            await bulk.delete_rows(connection, table)
        copied = 0
    async with source.read() as connection:
        progress.table_started(table.name, await count_rows(connection, table), copied)
        positions = [list(table.columns).index(column) for column in key_columns(table)]
        new = 0
        async for batch in _prefetched(
            stream_rows(connection, table, batch_rows=batch_rows, after=after)
        ):
            last_key = _json_key([batch[-1][i] for i in positions])
            async with target.transaction() as writer:
                await bulk.insert_rows(writer, table, batch)
                await move_state.save_progress(writer, table.name, copied + len(batch), last_key)
            copied += len(batch)
            new += len(batch)
            progress.rows_copied(table.name, len(batch))
    async with target.transaction() as writer:
        await bulk.reset_sequences(writer, table)
        await move_state.table_done(writer, table.name, copied)
    return new


def _json_key(values: Sequence[Any]) -> list[Any] | None:
    """Keep a key only when it survives JSON unchanged (text and integers do)."""
    if all(isinstance(value, str | int) and not isinstance(value, bool) for value in values):
        return list(values)
    return None


async def _prefetched(
    batches: AsyncIterator[Sequence[Sequence[Any]]],
) -> AsyncIterator[Sequence[Sequence[Any]]]:
    """Read the next batch from the source while the current one is written to the target."""
    pending = asyncio.ensure_future(anext(batches, None))
    try:
        while (batch := await pending) is not None:
            pending = asyncio.ensure_future(anext(batches, None))
            yield batch
    finally:
        if not pending.done():
            pending.cancel()
            try:
                await pending
            except (asyncio.CancelledError, Exception) as error:
                logger.debug("read-ahead of the source stopped: %r", error)
