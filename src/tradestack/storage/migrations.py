"""Run Alembic migrations from code, on an async engine, for the CLI and ``tradestack run``."""

from __future__ import annotations

import io
from dataclasses import dataclass

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

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
