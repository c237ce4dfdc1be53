"""Rule files: the issue's examples load; mistakes name the rule and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from tradestack.alerts.rules import load_rules, parse_duration, parse_rules
from tradestack.domain.alerts import Severity
from tradestack.errors import ConfigError

EXAMPLES = """
rules:
  - name: order_errors
    metric: order_rejection_rate
    above: 0.01
    window: 5m
    for: 5m
  - name: signals_stalled
    metric: signals_per_s
    below: 0.05
    window: 2m
  - name: database_down
    metric: database_up
    below: 1
    severity: critical
  - name: venue_disconnected
    event: venue.disconnected
    until: venue.connected
    subject: venue
    for: 5m
  - name: daily_loss_limit
    event: risk.breach
    match: {rule: halted, reason: "daily loss*"}
    clear_after: 1d
    severity: critical
    actions: [notify, halt_trader]
  - name: data_gap
    metric: bar_gaps
    above: 0
    window: 10m
  - name: service_silent
    heartbeat_missing: 30s
    services: [market-data]
"""


def test_the_issue_examples_load(tmp_path: Path) -> None:
    path = tmp_path / "alerts.yaml"
    path.write_text(EXAMPLES)
    rules = {rule.name: rule for rule in load_rules(path)}
    assert len(rules) == 7
    assert rules["order_errors"].for_s == 300 and rules["order_errors"].window_s == 300
    assert rules["daily_loss_limit"].clear_after_s == 86_400
    assert rules["daily_loss_limit"].severity is Severity.CRITICAL
    assert rules["daily_loss_limit"].actions == ("notify", "halt_trader")
    assert rules["service_silent"].heartbeat_missing_s == 30
    assert rules["venue_disconnected"].condition == "event"
    assert rules["service_silent"].condition == "heartbeat"


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"name": "x", "metric": "nope", "above": 1}, "rule 'x': field 'metric': unknown metric"),
        ({"name": "x", "metric": "signals_per_s"}, "rule 'x': field '(rule)': a metric"),
        ({"name": "x", "event": "risk.breach", "for": "5 minutes"}, "rule 'x': field 'for'"),
        ({"name": "x", "event": "a", "colour": "red"}, "rule 'x': field 'colour': Extra inputs"),
        ({"name": "x", "event": "a", "severity": "loud"}, "rule 'x': field 'severity'"),
        ({"name": "x"}, "needs exactly one condition"),
        ({"event": "a"}, "rule #1: field 'name'"),
        ({"name": "x", "event": "a", "actions": ["explode"]}, "unknown action 'explode'"),
    ],
)
def test_mistakes_name_the_rule_and_the_field(rule: dict[str, object], expected: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_rules({"rules": [rule]}, source="alerts.yaml")
    assert expected in str(raised.value)
    assert str(raised.value).startswith("alerts.yaml: ")


def test_duplicate_names_and_bad_files_are_rejected(tmp_path: Path) -> None:
    twice = {"rules": [{"name": "a", "event": "x"}, {"name": "a", "event": "y"}]}
    with pytest.raises(ConfigError, match="rule 'a': field 'name': used twice"):
        parse_rules(twice)
    with pytest.raises(ConfigError, match="does not exist"):
        load_rules(tmp_path / "missing.yaml")
    (tmp_path / "bad.yaml").write_text("rules: [\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_rules(tmp_path / "bad.yaml")
    assert parse_rules(None) == []


def test_durations() -> None:
    assert parse_duration(90) == 90
    assert parse_duration("90s") == 90
    assert parse_duration("5m") == 300
    assert parse_duration("1.5h") == 5400
    assert parse_duration("1d") == 86_400
    for bad in ("soon", "-5m", True):
        with pytest.raises(ValueError):
            parse_duration(bad)
