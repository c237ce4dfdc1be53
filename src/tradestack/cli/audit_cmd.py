"""``tradestack audit export``: the audit trail of a period as CSV or Parquet."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import typer

from tradestack.cli.database import parse_bound, run_with_database
from tradestack.cli.output import console
from tradestack.cli.settings_option import ConfigOption, settings_from
from tradestack.compliance.export import export_audit
from tradestack.errors import ConfigError

app = typer.Typer(help="Audit trail: orders, fills, risk decisions, manual actions.")


@app.command("export")
def export(
    start: str | None = typer.Option(None, "--from", help="First day or time (UTC)."),
    end: str | None = typer.Option(None, "--to", help="Last day (inclusive) or time (exclusive)."),
    format: str = typer.Option("csv", "--format", "-f", help="csv or parquet."),
    output: Path | None = typer.Option(None, "--output", "-o", help="File to write."),
    config: ConfigOption = None,
) -> None:
    """Export every order, fill, risk decision, manual action and alert in the period."""
    if format not in ("csv", "parquet"):
        raise ConfigError(f"--format {format!r} must be csv or parquet")
    kind: Literal["csv", "parquet"] = "csv" if format == "csv" else "parquet"
    settings = settings_from(config)
    window = parse_bound(start, "--from", end=False), parse_bound(end, "--to", end=True)
    path = output or Path(f"audit-{start or 'start'}-{end or 'now'}.{kind}")
    count = run_with_database(
        settings,
        lambda db: export_audit(db, path, start=window[0], end=window[1], format=kind),
    )
    console.print(f"{count} record(s) written to {path}")
