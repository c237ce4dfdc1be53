"""Run Alembic migrations from code, on an async engine, for the CLI and ``tradestack run``."""

from __future__ import annotations

import io
from dataclasses import dataclass

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tradestack.storage.engine import translated_errors

SCRIPT_LOCATION = "tradestack.storage:alembic"


@dataclass(frozen=True, slots=True)
class Revision:
    revision: str
    down_revision: str | None
    message: str
    is_head: bool


def alembic_config(url: str = "", connection: Connection | None = None) -> Config:
    config = Config(stdout=io.StringIO())
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Migrate the database up to ``revision`` in one transaction."""

    def run(connection: Connection) -> None:
        command.upgrade(alembic_config(connection=connection), revision)

    async with translated_errors(str(engine.url)), engine.begin() as connection:
        await connection.run_sync(run)


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    """Migrate the database down to ``revision`` (``base`` empties it)."""

    def run(connection: Connection) -> None:
        command.downgrade(alembic_config(connection=connection), revision)

    async with translated_errors(str(engine.url)), engine.begin() as connection:
        await connection.run_sync(run)


async def current(engine: AsyncEngine) -> str | None:
    """Return the database's revision, or None when it has never been migrated."""

    def read(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with translated_errors(str(engine.url)), engine.connect() as connection:
        return await connection.run_sync(read)


async def revision_of(connection: AsyncConnection) -> str | None:
    """Return the revision seen by an open connection (inside its transaction)."""
    return await connection.run_sync(
        lambda sync: MigrationContext.configure(sync).get_current_revision()
    )


async def migrate_on(connection: AsyncConnection, revision: str | None) -> None:
    """Upgrade or downgrade to ``revision`` (None: base) inside the caller's transaction."""
    steps = migration_steps(await revision_of(connection), revision)
    if not steps:
        return
    move = command.downgrade if steps[0].direction == "downgrade" else command.upgrade

    def run(sync: Connection) -> None:
        move(alembic_config(connection=sync), revision or "base")

    await connection.run_sync(run)


def head() -> str:
    head_revision = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head_revision is not None, "the project ships at least one migration"
    return head_revision


def history() -> list[Revision]:
    """List migrations newest first."""
    scripts = ScriptDirectory.from_config(alembic_config())
    heads = set(scripts.get_heads())
    return [
        Revision(
            revision=script.revision,
            down_revision=script.down_revision if isinstance(script.down_revision, str) else None,
            message=(script.doc or "").strip(),
            is_head=script.revision in heads,
        )
        for script in scripts.walk_revisions()
    ]


@dataclass(frozen=True, slots=True)
class MigrationStep:
    """One migration on the way from one revision to another, with what it declares it does.

    ``tables_created`` and ``tables_dropped`` are already flipped for a downgrade.
    """

    revision: str
    direction: str
    tables_created: tuple[str, ...]
    tables_dropped: tuple[str, ...]
    rows_changed: tuple[str, ...]


def resolve_revision(revision: str, current: str | None) -> str | None:
    """Turn ``head``, ``base``, ``+N``/``-N`` or a (prefix of a) revision id into an id.

    Returns None for ``base``. Raises ValueError naming the revision when it is unknown.
    """
    scripts = ScriptDirectory.from_config(alembic_config())
    if revision == "base":
        return None
    if revision[:1] in "+-" and revision[1:].isdigit():
        return _relative(scripts, current, int(revision))
    try:
        script = scripts.get_revision(revision)
    except Exception as error:  # alembic raises several types for unknown or ambiguous ids
        raise ValueError(f"unknown revision {revision!r}: {error}") from None
    if script is None:
        raise ValueError(f"unknown revision {revision!r}")
    return script.revision


def _relative(scripts: ScriptDirectory, current: str | None, steps: int) -> str | None:
    order = _linear_order(scripts)
    target = _position(order, current) + steps
    if not 0 <= target <= len(order):
        raise ValueError(f"revision {steps:+d} from {current or 'base'} is out of range")
    return order[target - 1] if target else None


def migration_steps(current: str | None, target: str | None) -> list[MigrationStep]:
    """List the migrations run to go from ``current`` to ``target``, in the order they run."""
    scripts = ScriptDirectory.from_config(alembic_config())
    order = _linear_order(scripts)
    start = _position(order, current)
    end = _position(order, target)
    if end >= start:
        return [_step(scripts, rev, "upgrade") for rev in order[start:end]]
    return [_step(scripts, rev, "downgrade") for rev in reversed(order[end:start])]


def _linear_order(scripts: ScriptDirectory) -> list[str]:
    return [script.revision for script in reversed(list(scripts.walk_revisions()))]


def _position(order: list[str], revision: str | None) -> int:
    if revision is None:
        return 0
    if revision not in order:
        raise ValueError(
            f"revision {revision} is not one this release ships (a newer release made it?)"
        )
    return order.index(revision) + 1


def _step(scripts: ScriptDirectory, revision: str, direction: str) -> MigrationStep:
    script = scripts.get_revision(revision)
    assert script is not None
    module = script.module
    created = tuple(getattr(module, "tables_created", ()))
    dropped = tuple(getattr(module, "tables_dropped", ()))
    if direction == "downgrade":
        created, dropped = dropped, created
    return MigrationStep(
        revision=revision,
        direction=direction,
        tables_created=created,
        tables_dropped=dropped,
        rows_changed=tuple(getattr(module, "rows_changed", ())),
    )
