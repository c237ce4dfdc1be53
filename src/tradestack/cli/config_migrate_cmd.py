"""``tradestack config migrate``: upgrade an older config or ``.env`` file, with backup and diff."""

from __future__ import annotations

import os
from pathlib import Path

import typer
from rich.table import Table

from tradestack.cli.output import console
from tradestack.config.migration import apply_migration, plan_migration
from tradestack.config.settings import CONFIG_VERSION
from tradestack.errors import ConfigError


def migrate(
    file: Path | None = typer.Argument(
        None, help="YAML or .env file (default: $TRADESTACK_CONFIG)."
    ),
    from_version: int | None = typer.Option(
        None, "--from", help="Version of FILE (default: read it)."
    ),
    to_version: int = typer.Option(CONFIG_VERSION, "--to", help="Version to write."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write here, not over FILE."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show the changes, write nothing."),
) -> None:
    """Rewrite FILE for this release: renames, splits and new settings from a declared table."""
    path = file or (
        Path(os.environ["TRADESTACK_CONFIG"]) if "TRADESTACK_CONFIG" in os.environ else None
    )
    if path is None:
        raise ConfigError("name the file to migrate (or set TRADESTACK_CONFIG)")
    migration = plan_migration(path, from_version=from_version, to_version=to_version)
    title = f"config {path}: version {migration.from_version} -> {migration.to_version}"
    table = Table(title=title)
    for name in ("old key", "new key", "change"):
        table.add_column(name, no_wrap=True)
    table.add_column("note", overflow="fold")
    for change in migration.changes:
        style = "yellow" if change.action in {"unknown", "ignored"} else "default"
        table.add_row(change.old_key, change.new_key, f"[{style}]{change.action}[/]", change.note)
    console.print(table)
    for line in migration.diff():
        console.print(line, markup=False, highlight=False)
    if migration.unknown:
        console.print(f"[yellow]unknown keys, not carried over:[/] {', '.join(migration.unknown)}")
    if dry_run:
        console.print("dry run: nothing written")
        return
    backup = apply_migration(migration, output=output)
    console.print(
        f"wrote {output or path} (config_version {migration.to_version}); old file kept as {backup}"
    )
