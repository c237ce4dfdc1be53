"""``tradestack db backup | backups | verify | restore``: backups with manifests."""

from __future__ import annotations

import asyncio

import typer
from rich.table import Table

from tradestack.cli.output import console
from tradestack.cli.settings_option import ConfigOption, settings_from
from tradestack.errors import BackupCorruptError, BackupError
from tradestack.migrate.backup import create_backup
from tradestack.migrate.manifest import BackupStore, Manifest
from tradestack.migrate.restore import restore_backup, verify_backup


def _size(size_bytes: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size_bytes < 1024 or unit == "GB":
            return f"{size_bytes:,.0f} {unit}" if unit == "B" else f"{size_bytes:,.1f} {unit}"
        size_bytes /= 1024  # type: ignore[assignment]
    return ""


def _rate(manifest: Manifest) -> str:
    return f"{manifest.total_rows / manifest.seconds:,.0f} rows/s" if manifest.seconds else "-"


def backup(
    config: ConfigOption = None,
    portable: bool = typer.Option(
        False, "--portable", help="Write a portable JSON-lines dump instead of a native copy."
    ),
    reason: str = typer.Option("manual", help="Why the backup was taken (kept in the manifest)."),
) -> None:
    """Back up the database into $TRADESTACK_HOME/backups/<id>/ with a manifest."""
    settings = settings_from(config)
    manifest = asyncio.run(
        create_backup(settings.database_url, settings.home, reason=reason, portable=portable)
    )
    path = BackupStore(settings.home).path(manifest.backup_id)
    console.print(
        f"backup [bold]{manifest.backup_id}[/] ({manifest.format}, revision "
        f"{manifest.schema_revision or 'none'}): {len(manifest.tables)} tables, "
        f"{manifest.total_rows:,} rows, {_size(manifest.size_bytes)} in "
        f"{manifest.seconds:.2f} s ({_rate(manifest)})"
    )
    console.print(f"  {path}")


def backups(config: ConfigOption = None) -> None:
    """List the backups under $TRADESTACK_HOME/backups, oldest first."""
    settings = settings_from(config)
    store = BackupStore(settings.home)
    table = Table(title=f"backups in {store.root}")
    table.add_column("id (time taken, UTC)", no_wrap=True)
    for name in ("format", "revision"):
        table.add_column(name)
    for name in ("rows", "size"):
        table.add_column(name, justify="right")
    table.add_column("reason", overflow="fold")
    for backup_id in store.ids():
        try:
            m = store.load(backup_id)
        except BackupError as error:
            table.add_row(backup_id, "-", "-", "-", "-", f"[red]{error}[/]")
            continue
        table.add_row(
            m.backup_id,
            m.format,
            m.schema_revision or "none",
            f"{m.total_rows:,}",
            _size(m.size_bytes),
            m.reason,
        )
    if not table.rows:
        console.print(f"no backups in {store.root}")
        return
    console.print(table)


def verify(backup_id: str = typer.Argument(...), config: ConfigOption = None) -> None:
    """Check a backup's manifest, checksums and contents without restoring it."""
    settings = settings_from(config)
    result = asyncio.run(verify_backup(settings.home, backup_id))
    if not result.ok:
        raise BackupCorruptError(f"backup {backup_id} is damaged: {'; '.join(result.problems)}")
    console.print(f"backup {backup_id} is [green]sound[/]: {', '.join(result.checks)}")


def restore(
    backup_id: str = typer.Argument(...),
    config: ConfigOption = None,
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
    safety_backup: bool = typer.Option(
        True, "--safety-backup/--no-safety-backup", help="Back up the current state first."
    ),
) -> None:
    """Replace the database with backup BACKUP_ID, verified before and after."""
    settings = settings_from(config)
    manifest = BackupStore(settings.home).load(backup_id)
    if not yes:
        typer.confirm(
            f"replace the database with backup {backup_id} "
            f"(revision {manifest.schema_revision or 'none'}, {manifest.total_rows:,} rows)?",
            abort=True,
        )
    before = asyncio.run(
        restore_backup(settings.database_url, settings.home, backup_id, safety_backup=safety_backup)
    )
    if before is not None:
        console.print(f"the state before the restore is backup {before.backup_id}")
    console.print(
        f"restored backup [bold]{backup_id}[/]: revision {manifest.schema_revision or 'none'}, "
        f"{len(manifest.tables)} tables, {manifest.total_rows:,} rows; counts and digests match"
    )
