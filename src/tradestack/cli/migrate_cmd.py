"""``tradestack migrate``: legacy imports and the post-migration checklist."""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer
from rich.table import Table

from tradestack.cli import migrate_bus_cmd, migrate_llm_cmd
from tradestack.cli.output import console
from tradestack.cli.settings_option import ConfigOption, settings_from
from tradestack.errors import LegacyImportError, MigrationFailedError
from tradestack.migrate.checklist import FAIL, PASS, SKIP, run_checks
from tradestack.migrate.legacy.importer import ImportReport, import_legacy
from tradestack.migrate.legacy.mapping import load_mapping

app = typer.Typer(
    help="Bring data from older systems, switch the event bus or LLM, check a migration.",
    no_args_is_help=True,
)
app.command("bus")(migrate_bus_cmd.bus)
app.command("llm")(migrate_llm_cmd.llm)


@app.command("import-legacy")
def import_legacy_command(
    source: str = typer.Option(..., "--from", help="Folder of CSV exports, or a database URL."),
    mapping: Path | None = typer.Option(
        None, help="Field mapping YAML (default: the shipped one)."
    ),
    trader: str | None = typer.Option(
        None, help="Trader for rows without one (default: mapping's)."
    ),
    config: ConfigOption = None,
) -> None:
    """Import orders, trades, balances, positions and signals; print the validation report."""
    settings = settings_from(config)
    rules = load_mapping(mapping, default_trader=trader)
    report = asyncio.run(import_legacy(source, settings.database_url, rules))
    _print_report(report)
    rejected = report.rejected
    if rejected:
        raise LegacyImportError(
            f"{len(rejected)} source row(s) did not arrive (listed above); every other row did"
        )
    if not report.complete:
        raise LegacyImportError("the counts on both sides do not add up (see the table above)")
    console.print(f"[green]every source row arrived[/] (import {report.import_id})")


def _print_report(report: ImportReport) -> None:
    table = Table(title=f"legacy import {report.import_id}")
    table.add_column("table")
    table.add_column("source")
    for name in ("source rows", "imported", "already there", "rejected", "in tradestack"):
        table.add_column(name, justify="right")
    for t in report.tables:
        if not t.found:
            table.add_row(t.table, f"{t.source} (not found)", "-", "-", "-", "-", "-")
            continue
        table.add_row(
            t.table,
            t.source,
            str(t.source_rows),
            str(t.imported),
            str(t.already),
            str(len(t.rejected)),
            str(t.arrived),
        )
    console.print(table)
    for t in report.tables:
        if t.source_statuses or t.target_statuses:
            console.print(
                _side_by_side(f"{t.table} per status", t.source_statuses, t.target_statuses)
            )
        if t.source_totals or t.target_totals:
            console.print(
                _side_by_side("balance totals (free + locked)", t.source_totals, t.target_totals)
            )
    if report.rejected:
        rows = Table(title="source rows that did not arrive")
        for name in ("table", "source", "row", "original id", "reason"):
            rows.add_column(name, overflow="fold")
        for r in report.rejected:
            rows.add_row(r.table, r.source, str(r.row), r.original_id, r.reason)
        console.print(rows)


def _side_by_side(title: str, source: dict[str, object], target: dict[str, object]) -> Table:
    table = Table(title=title)
    table.add_column("")
    table.add_column("source", justify="right")
    table.add_column("tradestack", justify="right")
    for key in sorted(set(source) | set(target)):
        table.add_row(key, str(source.get(key, 0)), str(target.get(key, 0)))
    return table


@app.command("check")
def check_command(
    config: ConfigOption = None,
    api: bool = typer.Option(True, "--api/--no-api", help="Check that the API answers."),
    latency_budget_ms: float = typer.Option(250.0, help="Budget of the sample query."),
) -> None:
    """Run the post-migration checklist; exit non-zero when any check fails."""
    settings = settings_from(config)
    checks = asyncio.run(run_checks(settings, check_api=api, latency_budget_ms=latency_budget_ms))
    table = Table(title="post-migration checks")
    table.add_column("check", no_wrap=True)
    table.add_column("result", no_wrap=True)
    table.add_column("detail", overflow="fold")
    colours = {PASS: "green", FAIL: "red", SKIP: "yellow"}
    for check in checks:
        table.add_row(check.name, f"[{colours[check.status]}]{check.status}[/]", check.detail)
    console.print(table)
    failed = [check.name for check in checks if check.status == FAIL]
    if failed:
        raise MigrationFailedError(f"{len(failed)} check(s) failed: {', '.join(failed)}")
