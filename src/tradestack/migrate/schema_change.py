"""Guarded schema changes: back up and verify, migrate, check the result, roll back on failure.

The check compares the database after the migration with what the migrations
on the way declare (``tables_created``, ``tables_dropped``, ``rows_changed`` in
each script): the revision, the set of tables, and the row count of every
table no migration said it would change. Any failure after the backup restores
the backup, so the database ends exactly where it started, and the error names
the step that failed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from tradestack.errors import MigrationFailedError, TradestackError
from tradestack.migrate.backup import create_backup
from tradestack.migrate.manifest import Manifest
from tradestack.migrate.restore import restore_backup, verify_backup
from tradestack.migrate.snapshot import BOOKKEEPING_TABLES, DatabaseState, read_state
from tradestack.storage import bulk, migrations
from tradestack.storage.database import Database
from tradestack.storage.migrations import MigrationStep
from tradestack.storage.move_state import incomplete_move

logger = logging.getLogger(__name__)

Direction = Literal["upgrade", "downgrade"]


@dataclass
class SchemaChange:
    """What a guarded upgrade or downgrade did, step by step (name, seconds)."""

    from_revision: str | None
    to_revision: str | None
    backup: Manifest | None = None
    steps: list[tuple[str, float]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.from_revision != self.to_revision


class _Steps:
    def __init__(self, change: SchemaChange) -> None:
        self.change = change
        self.name = "connect"
        self._started = time.perf_counter()

    def next(self, name: str) -> None:
        self.change.steps.append((self.name, round(time.perf_counter() - self._started, 3)))
        self.name = name
        self._started = time.perf_counter()


async def change_schema(url: str, home: Path, revision: str, direction: Direction) -> SchemaChange:
    """Move the database at ``url`` to ``revision`` safely; see the module docstring.

    Raises MigrationFailedError naming the failed step; when the failure came after
    the backup, the message also says the database was restored (or, if even that
    failed, where the backup is).
    """
    change = SchemaChange(from_revision=None, to_revision=None)
    steps = _Steps(change)
    try:
        before = await _read(url)
        change.from_revision = before.revision
        steps.next("plan")
        change.to_revision = migrations.resolve_revision(revision, before.revision)
        plan = _plan(before.revision, change.to_revision, direction)
        if not plan:
            steps.next("done")
            return change
        if before.tables or before.revision is not None:
            steps.next("backup")
            reason = (
                f"before {direction} {before.revision or 'base'} -> {change.to_revision or 'base'}"
            )
            change.backup = await create_backup(url, home, reason=reason)
            steps.next("verify backup")
            verification = await verify_backup(home, change.backup.backup_id)
            if not verification.ok:
                raise MigrationFailedError(verification.problems[0])
    except (TradestackError, ValueError) as error:
        raise MigrationFailedError(
            f"step '{steps.name}' failed: {error}; nothing was changed"
        ) from None
    try:
        steps.next("migrate")
        await _migrate(url, change.to_revision, direction)
        steps.next("check")
        problems = _check(before, await _read(url), plan, change.to_revision)
        if problems:
            raise MigrationFailedError("; ".join(problems[:3]))
        steps.next("done")
    except BaseException as error:
        await _roll_back(url, home, change, steps.name, error)
        raise
    return change


async def _read(url: str) -> DatabaseState:
    db = Database(url)
    try:
        await db.check()
        async with db.read() as connection:
            move = await incomplete_move(connection)
            if move is not None:
                raise MigrationFailedError(f"the database is not complete: {move}")
            return await read_state(connection, digests=False)
    finally:
        await db.dispose()


def _plan(current: str | None, target: str | None, direction: Direction) -> list[MigrationStep]:
    plan = migrations.migration_steps(current, target)
    if plan and plan[0].direction != direction:
        other = "downgrade" if direction == "upgrade" else "upgrade"
        raise ValueError(
            f"revision {target or 'base'} is reached from {current or 'base'} by a {other}; "
            f"use 'tradestack db {other}'"
        )
    return plan


async def _migrate(url: str, target: str | None, direction: Direction) -> None:
    db = Database(url)
    try:
        if direction == "upgrade":
            await migrations.upgrade(db.engine, target or "base")
        else:
            await migrations.downgrade(db.engine, target or "base")
    finally:
        await db.dispose()


def _check(
    before: DatabaseState, after: DatabaseState, plan: Sequence[MigrationStep], target: str | None
) -> list[str]:
    problems = []
    if after.revision != target:
        problems.append(f"revision is {after.revision or 'base'}, not {target or 'base'}")
    expected = set(before.tables)
    for step in plan:
        expected = (expected | set(step.tables_created)) - set(step.tables_dropped)
    actual = set(after.tables)
    problems += [f"table {name} is missing" for name in sorted(expected - actual)]
    problems += [f"table {name} appeared undeclared" for name in sorted(actual - expected)]
    may_change = BOOKKEEPING_TABLES.union(*(step.rows_changed for step in plan))
    for name in sorted((set(before.tables) & actual) - may_change):
        was, now = before.tables[name].rows, after.tables[name].rows
        if was != now:
            problems.append(f"table {name} went from {was} to {now} rows undeclared")
    return problems


async def _roll_back(
    url: str, home: Path, change: SchemaChange, step: str, error: BaseException
) -> None:
    """Put the database back where it was, then raise the error that names ``step``."""
    reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    if isinstance(error, Exception) and not isinstance(error, TradestackError):
        reason = f"{type(error).__name__}: {reason}"
    logger.warning("schema change failed at step %s (%s); rolling back", step, reason)
    try:
        if change.backup is None:
            await _empty(url)
            where = "emptied again, as it was"
        else:
            await restore_backup(url, home, change.backup.backup_id, safety_backup=False)
            where = f"restored from backup {change.backup.backup_id}"
    except Exception as restore_error:
        logger.exception("rollback failed")
        kept = f"backup {change.backup.backup_id} is kept" if change.backup else "no backup"
        raise MigrationFailedError(
            f"step '{step}' failed: {reason}; the rollback failed too ({restore_error}); {kept}"
        ) from error
    if not isinstance(error, Exception):
        return  # Ctrl-C and cancellation propagate unchanged once the database is back
    raise MigrationFailedError(
        f"step '{step}' failed: {reason}; the database was {where} "
        f"(revision {change.from_revision or 'base'})"
    ) from error


async def _empty(url: str) -> None:
    db = Database(url)
    try:
        async with db.transaction() as connection:
            await bulk.drop_all_tables(connection)
    finally:
        await db.dispose()
