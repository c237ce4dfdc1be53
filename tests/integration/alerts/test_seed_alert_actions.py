"""Every action of the seeds' alert files reaches a notifier, or the error names it.

The seeds hold one alert file, seed 003's ``monitoring/alerts.yaml``; its
actions are ``notify_telegram``, ``notify_ops_team`` and ``page_oncall``.
Its rules are written here in our format (a condition per rule), keeping the
seed's singular ``action:`` key.
"""

from __future__ import annotations

import pytest

from tests.integration.alerts.test_alert_engine import Harness
from tests.integration.notify.test_fanout import Recorder
from tradestack.alerts.rules import check_channels, load_rules, parse_rules
from tradestack.domain.events import Event
from tradestack.domain.notifications import NotificationKind
from tradestack.errors import ConfigError
from tradestack.notify.fanout import Channel, NotificationDispatcher
from tradestack.storage.database import Database

SEED_003_ALERTS = """
rules:
  - name: high_error_rate
    metric: handler_error_rate
    above: 0.01
    action: notify_telegram
  - name: low_signal_processing
    metric: signals_per_s
    below: 500
    action: notify_ops_team
  - name: database_connection_failure
    metric: database_up
    below: 1
    action: page_oncall
  - name: exchange_disconnection
    event: venue.disconnected
    until: venue.connected
    for: 5m
    action: notify_telegram
"""
SEED_ACTIONS = {
    "notify_telegram": {"telegram"},
    "notify_ops_team": {"webhook"},
    "page_oncall": {"log", "webhook", "telegram"},  # a page goes out on every channel
}
CHANNELS = ("log", "webhook", "telegram")


def test_the_seed_alert_file_loads_with_its_actions(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "alerts.yaml"
    path.write_text(SEED_003_ALERTS)
    rules = {rule.name: rule for rule in load_rules(path)}
    assert rules["database_connection_failure"].actions == ("page_oncall",)
    assert rules["low_signal_processing"].actions == ("notify_ops_team",)
    check_channels(list(rules.values()), CHANNELS, source=str(path))


@pytest.mark.parametrize("action", sorted(SEED_ACTIONS))
async def test_each_seed_action_reaches_its_notifiers(database: Database, action: str) -> None:
    harness = Harness(database)
    recorders = {name: Recorder(name) for name in CHANNELS}
    dispatcher = NotificationDispatcher(
        bus=harness.bus,
        channels=[Channel(r, frozenset(NotificationKind)) for r in recorders.values()],
    )
    await dispatcher.start()
    await harness.start([{"name": "trigger", "event": "test.trigger", "action": action}])
    try:
        await harness.bus.publish(Event.create("test.trigger", {}, trader_id="alice"))
        await harness.settle()
    finally:
        await dispatcher.stop()
        await harness.stop()
    reached = {name for name, r in recorders.items() if r.received}
    assert reached == SEED_ACTIONS[action]
    assert all("trigger" in r.received[0].title for r in recorders.values() if r.received)


def test_an_unknown_action_is_named_with_the_known_ones() -> None:
    with pytest.raises(ConfigError) as raised:
        parse_rules({"rules": [{"name": "x", "event": "a", "action": "call_mum"}]})
    message = str(raised.value)
    assert "rule 'x'" in message and "'call_mum'" in message and "page_oncall" in message


def test_an_action_whose_channel_is_not_configured_is_named() -> None:
    rules = parse_rules({"rules": [{"name": "x", "event": "a", "action": "notify_telegram"}]})
    with pytest.raises(ConfigError) as raised:
        check_channels(rules, ("log",), source="alerts.yaml")
    message = str(raised.value)
    assert "rule 'x'" in message and "notify_telegram" in message and "telegram" in message
