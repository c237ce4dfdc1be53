"""``tradestack alerts``: list and acknowledge alerts, and check a rules file."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from tradestack.alerts import service
from tradestack.alerts.rules import check_channels, load_rules
from tradestack.cli.database import run_with_database
from tradestack.cli.output import console
from tradestack.cli.settings_option import ConfigOption, settings_from
from tradestack.compliance.actions import cli_actor

app = typer.Typer(help="Alerts: list, acknowledge, check rules.", no_args_is_help=True)


@app.command("list")
def list_(
    active: bool = typer.Option(False, "--active", help="Only alerts still holding."),
    unacknowledged: bool = typer.Option(False, "--unacknowledged", help="Only unacknowledged."),
    limit: int = typer.Option(50, "--limit", "-n"),
    config: ConfigOption = None,
) -> None:
    """List alerts, newest first."""
    settings = settings_from(config)
    alerts = run_with_database(
        settings,
        lambda db: service.find_alerts(
            db, active_only=active, unacknowledged_only=unacknowledged, limit=limit
        ),
    )
    table = Table("id", "time", "severity", "type", "subject", "message", "state", "ack")
    for alert in alerts:
        table.add_row(
            str(alert.alert_id),
            alert.raised_at.strftime("%Y-%m-%d %H:%M:%S"),
            alert.severity.value,
            alert.type,
            alert.subject or "-",
            alert.message,
            "active" if alert.active else f"resolved {alert.resolved_at:%H:%M:%S}",
            alert.acknowledged_by or "-",
        )
    console.print(table)


@app.command("ack")
def ack(alert_id: int, config: ConfigOption = None) -> None:
    """Acknowledge an alert; the acknowledgement goes on the audit trail."""
    settings = settings_from(config)
    alert = run_with_database(
        settings, lambda db: service.acknowledge(db, alert_id, actor=cli_actor(), source="cli")
    )
    console.print(f"alert {alert.alert_id} ({alert.type}) acknowledged by {alert.acknowledged_by}")


@app.command("check")
def check(path: Path, config: ConfigOption = None) -> None:
    """Validate a rules file; errors name the rule and the field, or an action's missing channel."""
    rules = load_rules(path)
    check_channels(rules, settings_from(config).notify.channels, source=str(path))
    console.print(f"{path}: {len(rules)} rule(s) valid")
    for rule in rules:
        channels = rule.notify_channels
        to = "every channel" if channels is None else (", ".join(channels) or "no channel")
        console.print(
            f"  {rule.name}: {rule.condition}, {rule.severity.value}; "
            f"{', '.join(rule.actions)} -> notifies {to}"
        )
