"""``tradestack audit export``: the audit trail of a period as CSV or Parquet."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Literal

import typer

from tradestack.cli.database import run_with_database
from tradestack.cli.output import console
from tradestack.cli.settings_option import ConfigOption, settings_from
from tradestack.compliance.export import export_audit
from tradestack.errors import ConfigError

app = typer.Typer(help="Audit trail: orders, fills, risk decisions, manual actions.")


def parse_bound(value: str | None, option: str, *, end: bool) -> datetime | None:
    """An ISO date or date-time (naive is UTC); a ``--to`` date includes that whole day."""
    if value is None:
        return None
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            moment = datetime.combine(day, datetime.min.time(), tzinfo=UTC)
            return moment + timedelta(days=1) if end else moment
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{option} {value!r} is not an ISO date or time") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


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
