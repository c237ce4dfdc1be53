"""``tradestack db``: schema migrations."""

from __future__ import annotations

import asyncio

import typer
from rich.table import Table

from tradestack.cli.output import console
from tradestack.cli.settings_option import ConfigOption, settings_from
from tradestack.storage import migrations
from tradestack.storage.database import Database
from tradestack.storage.engine import describe_url

app = typer.Typer(help="Database schema: upgrade, current revision, history.", no_args_is_help=True)


async def _with_database(url: str, action: str, revision: str) -> str | None:
    db = Database(url)
    try:
        await db.check()
        if action == "upgrade":
            await migrations.upgrade(db.engine, revision)
        elif action == "downgrade":
            await migrations.downgrade(db.engine, revision)
        return await migrations.current(db.engine)
    finally:
        await db.dispose()


@app.command("upgrade")
def upgrade(revision: str = typer.Argument("head"), config: ConfigOption = None) -> None:
    """Migrate the database up to REVISION (default: the newest)."""
    settings = settings_from(config)
    now = asyncio.run(_with_database(settings.database_url, "upgrade", revision))
    console.print(f"{describe_url(settings.database_url)} is at revision [bold]{now}[/]")


@app.command("downgrade")
def downgrade(revision: str = typer.Argument(...), config: ConfigOption = None) -> None:
    """Migrate the database down to REVISION (``base`` removes every table)."""
    settings = settings_from(config)
    now = asyncio.run(_with_database(settings.database_url, "downgrade", revision))
    console.print(f"{describe_url(settings.database_url)} is at revision [bold]{now or 'base'}[/]")


@app.command("current")
def current(config: ConfigOption = None) -> None:
    """Print the database's current revision."""
    settings = settings_from(config)
    now = asyncio.run(_with_database(settings.database_url, "current", ""))
    head = migrations.head()
    note = "up to date" if now == head else f"newest is {head}; run 'tradestack db upgrade'"
    console.print(f"{describe_url(settings.database_url)}: revision {now or 'none'} ({note})")


@app.command("history")
def history() -> None:
    """List the migrations this release ships, newest first."""
    table = Table("revision", "down from", "description")
    for revision in migrations.history():
        mark = " (head)" if revision.is_head else ""
        table.add_row(revision.revision + mark, revision.down_revision or "-", revision.message)
    console.print(table)
