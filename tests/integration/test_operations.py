"""The kernel runs alerts, notifications and the daily report when configured, and not before."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from tradestack.config.loader import load_settings
from tradestack.domain.events import Event, EventType
from tradestack.errors import ConfigError
from tradestack.kernel import Kernel
from tradestack.storage.repositories.alerts import list_alerts


async def test_off_by_default(tmp_path: Path) -> None:
    kernel = Kernel.build(load_settings(home=tmp_path))
    assert kernel.operations.components() == []
    await kernel.db.dispose()


async def test_configured_parts_start_and_stop_with_the_kernel(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="tradestack.notifications")
    rules = tmp_path / "alerts.yaml"
    rules.write_text(
        "rules:\n"
        "  - name: venue_down\n"
        "    event: venue.disconnected\n"
        "    until: venue.connected\n"
        "    subject: venue\n"
        "    severity: critical\n"
    )
    settings = load_settings(
        home=tmp_path,
        run={"history_bars": 30, "replay": "fast", "replay_interval_s": 60},
        alerts={"rules_file": rules},
        notify={"channels": ["log"], "events": ["alert_raised", "daily_report"]},
        report={"daily_time": "18:00", "timezone": "Europe/Berlin"},
    )
    kernel = Kernel.build(settings)
    await kernel.prepare()
    await kernel.start()
    try:
        status = await kernel.status()
        assert status["services"] == {
            "notifications": "RUNNING",
            "alert-engine": "RUNNING",
            "daily-report": "RUNNING",
        }
        await kernel.bus.publish(Event.create(EventType.VENUE_DISCONNECTED, {"venue": "paper"}))
        await asyncio.sleep(0.2)  # the engine raises, the dispatcher logs
    finally:
        await kernel.stop()
    assert all(c.state.value == "STOPPED" for c in kernel.operations.components())
    assert kernel.operations.daily_report is not None
    assert kernel.operations.daily_report.next_due is not None
    assert "[alert_raised] CRITICAL alert venue_down" in caplog.text
    kernel = Kernel.build(settings)
    async with kernel.db.read() as connection:
        (alert,) = await list_alerts(connection)
    await kernel.db.dispose()
    assert (alert.type, alert.subject) == ("venue_down", "paper")


def test_bad_configuration_fails_before_anything_starts(tmp_path: Path) -> None:
    (tmp_path / "alerts.yaml").write_text("rules:\n  - name: x\n    metric: nope\n    above: 1\n")
    with pytest.raises(ConfigError, match="rule 'x': field 'metric'"):
        Kernel.build(load_settings(home=tmp_path, alerts={"rules_file": tmp_path / "alerts.yaml"}))
    with pytest.raises(ConfigError, match="webhook_url"):
        Kernel.build(load_settings(home=tmp_path, notify={"channels": ["webhook"]}))
    with pytest.raises(ConfigError, match="telegram.token"):
        Kernel.build(load_settings(home=tmp_path, notify={"channels": ["telegram"]}))
    with pytest.raises(ConfigError, match="unknown time zone"):
        load_settings(home=tmp_path, report={"timezone": "Mars/Olympus"})
