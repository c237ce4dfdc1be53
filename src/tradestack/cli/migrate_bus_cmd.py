"""``tradestack migrate bus``: move events to another bus, proving nothing is lost."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
from pathlib import Path
from typing import get_args

import typer
from rich.table import Table

from tradestack.bus.factory import EXAMPLE_URLS, BusKind, build_bus_admin, build_bus_for
from tradestack.bus.migration import MigrationReport, migrate
from tradestack.cli.output import console
from tradestack.cli.settings_option import ConfigOption, settings_from
from tradestack.config.settings import BusSettings, Settings
from tradestack.errors import BusMigrationError, ConfigError


def _kind(value: str, option: str) -> BusKind:
    if value not in get_args(BusKind):
        raise ConfigError(f"{option} {value!r} is not one of memory, redis, nats")
    return value  # type: ignore[return-value]


def _url(kind: BusKind, explicit: str | None, settings: Settings) -> str | None:
    if explicit:
        return explicit
    if kind == settings.event_bus and settings.bus_url:
        return settings.bus_url
    return EXAMPLE_URLS.get(kind)


async def _migrate(
    source: tuple[BusKind, str | None],
    target: tuple[BusKind, str],
    options: BusSettings,
    *,
    settle_s: float,
    dry_run: bool,
) -> MigrationReport:
    source_admin = build_bus_admin(source[0], source[1], options)
    target_admin = build_bus_admin(target[0], target[1], options)
    await source_admin.open()
    try:
        await target_admin.open()
        try:
            return await migrate(
                source_admin,
                target_admin,
                build_bus_for(target[0], target[1], options),
                settle_s=settle_s,
                dry_run=dry_run,
            )
        finally:
            await target_admin.close()
    finally:
        await source_admin.close()


def _print(report: MigrationReport) -> None:
    table = Table(
        "group", "pattern", "source before", "target after", "missing", "source after",
        title=f"{report.source} -> {report.target}",
    )  # fmt: skip
    for row in report.groups:
        after = "-" if report.dry_run else str(row.target_after)
        table.add_row(
            row.group,
            row.pattern,
            str(row.source_before),
            after,
            "-" if report.dry_run else str(row.missing),
            "-" if report.dry_run else str(row.source_after),
        )
    console.print(table)
    lost = sum(row.lost_before_read for row in report.groups)
    if lost:
        console.print(f"[yellow]{lost} pending entries had been trimmed by the source[/]")
    if report.dry_run:
        console.print(
            f"dry run: {report.events} event(s) would be copied (ids {report.source_checksum})"
        )
        return
    console.print(
        f"copied {report.events} event(s): source ids {report.source_checksum}, "
        f"read back on the target {report.target_checksum}"
    )


def _switch_config(path: Path, kind: BusKind, url: str | None) -> Path:
    """Point ``event_bus``/``bus_url`` of a YAML config file at the new bus; keep a backup."""
    backup = path.with_name(path.name + ".bak")
    shutil.copy2(path, backup)
    text = path.read_text(encoding="utf-8")
    for key, value in (("event_bus", kind), ("bus_url", url or "null")):
        line = f"{key}: {value}"
        text, found = re.subn(rf"^{key}\s*:.*$", line, text, flags=re.MULTILINE)
        if not found:
            text = text.rstrip("\n") + f"\n{line}\n"
    path.write_text(text, encoding="utf-8")
    return backup


def bus(
    source_name: str | None = typer.Option(
        None, "--from", help="memory, redis or nats (default: the configured bus)."
    ),
    target_name: str = typer.Option(..., "--to", help="redis or nats."),
    from_url: str | None = typer.Option(None, "--from-url", help="Default: configured or local."),
    to_url: str | None = typer.Option(None, "--to-url", help="Default: configured or local."),
    settle_s: float = typer.Option(1.0, "--settle-s", help="Seconds the source must stay quiet."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Count only; change nothing."),
    switch: bool = typer.Option(
        True, "--switch/--no-switch", help="Point the YAML config file at the new bus."
    ),
    config: ConfigOption = None,
) -> None:
    """Drain the old bus into the new one and print counts from both sides.

    Stop every publishing service first: the command refuses to run while the
    old bus still receives events. Every event a durable group has not
    acknowledged is copied (same event ids), the groups are created on the new
    bus first, the new bus is checked to hold every such event for each group,
    and only then are the old groups marked done.
    """
    settings = settings_from(config)
    source_kind = _kind(source_name or settings.event_bus, "--from")
    target_kind = _kind(target_name, "--to")
    if target_kind == "memory":
        raise BusMigrationError("the in-memory bus cannot receive a migration: it keeps nothing")
    source = (source_kind, _url(source_kind, from_url, settings))
    target = (target_kind, _url(target_kind, to_url, settings) or "")
    if source == target:
        raise BusMigrationError(f"--from and --to are the same bus ({target_kind} {target[1]})")
    console.print(f"from {source_kind} {source[1] or ''} to {target_kind} {target[1]}")
    if source_kind == "memory":
        console.print("the in-memory bus keeps nothing outside a running process: nothing to move")
    else:
        report = asyncio.run(
            _migrate(source, target, settings.bus, settle_s=settle_s, dry_run=dry_run)
        )
        _print(report)
        if dry_run:
            return
        console.print("[green]nothing lost[/]: every group's backlog is on the new bus")
    path = config or (
        Path(os.environ["TRADESTACK_CONFIG"]) if "TRADESTACK_CONFIG" in os.environ else None
    )
    if dry_run:
        return
    if switch and path is not None:
        backup = _switch_config(path, target_kind, target[1])
        console.print(f"{path} now uses the {target_kind} bus (previous file: {backup})")
    else:
        console.print(
            f"now configure the services with TRADESTACK_EVENT_BUS={target_kind} "
            f"TRADESTACK_BUS_URL={target[1]}"
        )
