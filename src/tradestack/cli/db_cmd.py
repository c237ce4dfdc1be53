"""``tradestack db``: schema migrations (guarded by a verified backup), backups and moves."""

from __future__ import annotations

import asyncio

import typer
from rich.table import Table

from tradestack.cli import db_backup_cmd, db_move_cmd
from tradestack.cli.output import console
from tradestack.cli.settings_option import ConfigOption, settings_from
from tradestack.migrate.schema_change import Direction, SchemaChange, change_schema
from tradestack.storage import migrations
from tradestack.storage.database import Database
from tradestack.storage.engine import describe_url
from tradestack.storage.move_state import incomplete_move

app = typer.Typer(
    help="Database schema, backups and moves: upgrade, downgrade, backup, restore, move.",
    no_args_is_help=True,
)
app.command("backup")(db_backup_cmd.backup)
app.command("backups")(db_backup_cmd.backups)
app.command("verify")(db_backup_cmd.verify)
app.command("restore")(db_backup_cmd.restore)
app.command("move")(db_move_cmd.move)


def _change(config: ConfigOption, revision: str, direction: Direction) -> None:
    settings = settings_from(config)
    change = asyncio.run(change_schema(settings.database_url, settings.home, revision, direction))
    _print_change(change)
    target = change.to_revision or "base"
    console.print(f"{describe_url(settings.database_url)} is at revision [bold]{target}[/]")


def _print_change(change: SchemaChange) -> None:
    if not change.changed:
        console.print("nothing to do: already at that revision")
        return
    if change.backup is None:
        console.print("no backup: the database was empty")
    else:
        b = change.backup
        console.print(
            f"backup {b.backup_id} ({b.format}, {b.total_rows:,} rows) taken and verified"
        )
    timings = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in change.steps)
    console.print(
        f"migrated {change.from_revision or 'base'} -> {change.to_revision or 'base'}; "
        f"revision, tables and row counts checked ({timings})"
    )


@app.command("upgrade")
def upgrade(revision: str = typer.Argument("head"), config: ConfigOption = None) -> None:
    """Back up, migrate up to REVISION (default: the newest), check; roll back on failure."""
    _change(config, revision, "upgrade")


@app.command("downgrade")
def downgrade(revision: str = typer.Argument(...), config: ConfigOption = None) -> None:
    """Back up, migrate down to REVISION (``base`` removes every table), check; roll back."""
    _change(config, revision, "downgrade")


async def _current(url: str) -> tuple[str | None, str | None]:
    db = Database(url)
    try:
        await db.check()
        async with db.read() as connection:
            move = await incomplete_move(connection)
        return await migrations.current(db.engine), move
    finally:
        await db.dispose()


@app.command("current")
def current(config: ConfigOption = None) -> None:
    """Print the database's current revision."""
    settings = settings_from(config)
    now, move = asyncio.run(_current(settings.database_url))
    head = migrations.head()
    note = "up to date" if now == head else f"newest is {head}; run 'tradestack db upgrade'"
    if move is not None:
        note = f"INCOMPLETE: {move}"
    console.print(f"{describe_url(settings.database_url)}: revision {now or 'none'} ({note})")


@app.command("history")
def history() -> None:
    """List the migrations this release ships, newest first."""
    table = Table("revision", "down from", "description")
    for revision in migrations.history():
        mark = " (head)" if revision.is_head else ""
        table.add_row(revision.revision + mark, revision.down_revision or "-", revision.message)
    console.print(table)
