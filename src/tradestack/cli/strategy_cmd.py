"""``tradestack strategy``: new, list, check and migrate strategies.

Strategies are files, packages and references on this machine
(``strategy.registry``); these commands find, scaffold and vet them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from tradestack.cli.output import console, errors, fail
from tradestack.cli.settings_option import ConfigOption, settings_from
from tradestack.cli.strategy_path_option import StrategyPathOption
from tradestack.cli.trader_cmd import parse_pairs

app = typer.Typer(help="Strategies: new, list, check, migrate.", no_args_is_help=True)


@app.command("list")
def list_(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON array.")] = False,
    strategy_path: StrategyPathOption = None,
    config: ConfigOption = None,
) -> None:
    """Every strategy from every source, with its interface and parameters; broken files too."""
    from tradestack.strategy.registry import catalog

    settings_from(config)
    found = catalog()
    described = [entry.describe() for _name, entry in sorted(found.entries.items())]
    if as_json:
        typer.echo(json.dumps(described, default=str))
    else:
        table = Table("name", "interface", "source", "parameters")
        for item in described:
            params = ", ".join(f"{p['name']}={p['default']}" for p in item["parameters"])
            table.add_row(
                item["name"], item["interface"], f"{item['source']}: {item['location']}", params
            )
        console.print(table)
    for problem in found.problems:
        errors.print(f"[yellow]skipped[/] {escape(str(problem))}", soft_wrap=True)
    for name in found.duplicates:
        errors.print(f"[bold red]error:[/] {escape(found.duplicate_error(name))}", soft_wrap=True)
    if found.duplicates:
        raise typer.Exit(2)


@app.command("new")
def new(
    name: Annotated[str, typer.Argument(help="Strategy name: lower-case letters, digits, _.")],
    directory: Annotated[
        Path | None,
        typer.Option("--dir", help="Where to write it (default: $TRADESTACK_HOME/strategies)."),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Write a v2 strategy file and its test, ready for ``strategy check``."""
    from tradestack.strategy.scaffold import new_strategy

    settings = settings_from(config)
    path, test_path = new_strategy(name, directory or settings.home / "strategies")
    console.print(f"wrote {path}\nwrote {test_path}")
    console.print(f"next: tradestack strategy check {path}")


@app.command("check")
def check_command(
    target: Annotated[str, typer.Argument(help="Strategy name, module:Class or FILE.py.")],
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="NAME=VALUE, repeatable.")
    ] = None,
    strategy_path: StrategyPathOption = None,
    config: ConfigOption = None,
) -> None:
    """Import, interface, parameters, smoke backtest, lookahead check; exit 1 on a failure."""
    from tradestack.strategy.check import check, entries_for

    settings_from(config)
    failed = False
    for entry in entries_for(target):
        result = check(entry, parse_pairs(param or [], "--param"))
        console.print(f"[bold]{entry.name}[/]")
        for name, ok, detail in result.lines:
            mark = "[green]ok[/]  " if ok else "[bold red]FAIL[/]"
            console.print(f"  {mark} {name}: {escape(detail)}")
        failed = failed or not result.passed
    if failed:
        raise typer.Exit(1)


@app.command("migrate")
def migrate_command(
    file: Annotated[Path, typer.Argument(help="The v1 strategy file.")],
    to: Annotated[int, typer.Option("--to", help="Interface version to migrate to.")] = 2,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of in place.")
    ] = None,
) -> None:
    """Rewrite a v1 strategy file to interface version 2, or say what cannot be migrated."""
    from tradestack.strategy.migrate import migrate_file

    if to != 2:
        fail(f"--to {to}: only interface version 2 is supported", 2)
    if not file.is_file():
        fail(f"{file}: no such file", 2)
    migration = migrate_file(file, output=output)
    for problem in migration.problems:
        errors.print(f"[bold red]cannot migrate:[/] {escape(problem)}", soft_wrap=True)
    if not migration.ok:
        raise typer.Exit(1)
    for change in migration.changes:
        console.print(f"  {escape(change)}")
    console.print(f"migrated {output or file} to interface version 2")
