"""``tradestack config``: show and check the effective settings."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from tradestack.cli.output import console
from tradestack.cli.settings_option import ConfigOption, settings_from
from tradestack.config.loader import masked
from tradestack.config.migration import check_env_file

app = typer.Typer(help="Show and check configuration.", no_args_is_help=True)


def _flatten(data: dict[str, object], prefix: str = "") -> list[tuple[str, object]]:
    rows: list[tuple[str, object]] = []
    for key, value in data.items():
        if isinstance(value, dict) and key != "strategy_params":
            rows.extend(_flatten(value, f"{prefix}{key}."))
        else:
            rows.append((f"{prefix}{key}", value))
    return rows


@app.command("show")
def show(
    config: ConfigOption = None,
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Print the effective configuration with secrets masked."""
    data = masked(settings_from(config))
    if as_json:
        typer.echo(json.dumps(data, default=str, indent=2))
        return
    table = Table("setting", "value", title="effective configuration")
    for key, value in _flatten(data):
        table.add_row(key, str(value))
    console.print(table)


@app.command("validate")
def validate(
    file: Path | None = typer.Argument(None, help="YAML or .env file to check (else --config)."),
    config: ConfigOption = None,
) -> None:
    """Load the configuration and report whether it is valid, without starting anything."""
    if file is not None and (file.name.startswith(".env") or file.suffix == ".env"):
        check_env_file(file)
    else:
        settings_from(file or config)
    console.print("[green]configuration is valid[/]")
