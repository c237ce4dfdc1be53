"""The alerts, notify, telegram and report groups read from the environment; secrets stay hidden."""

from __future__ import annotations

from datetime import time

import pytest

from tradestack.config.loader import load_settings, masked
from tradestack.domain.notifications import NotificationKind
from tradestack.errors import ConfigError


def test_groups_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRADESTACK_NOTIFY__CHANNELS", '["log", "telegram"]')
    monkeypatch.setenv("TRADESTACK_NOTIFY__TELEGRAM_EVENTS", '["daily_report"]')
    monkeypatch.setenv("TRADESTACK_TELEGRAM__TOKEN", "42:very-secret")
    monkeypatch.setenv("TRADESTACK_TELEGRAM__ALLOWED_CHAT_IDS", "[11, 22]")
    monkeypatch.setenv("TRADESTACK_REPORT__DAILY_TIME", "18:30")
    monkeypatch.setenv("TRADESTACK_REPORT__TIMEZONE", "Europe/Berlin")
    settings = load_settings()
    assert settings.notify.channels == ["log", "telegram"]
    assert settings.notify.events_for("telegram") == {NotificationKind.DAILY_REPORT}
    assert settings.notify.events_for("log") == set(NotificationKind)
    assert settings.telegram.allowed_chat_ids == [11, 22]
    assert settings.report.daily_time == time(18, 30)
    assert "very-secret" not in repr(settings)
    assert masked(settings)["telegram"]["token"] == "***"


def test_mistakes_name_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRADESTACK_NOTIFY__EVENTS", '["everything"]')
    with pytest.raises(ConfigError, match="notify.events.0"):
        load_settings()
    monkeypatch.delenv("TRADESTACK_NOTIFY__EVENTS")
    monkeypatch.setenv("TRADESTACK_TELEGRAM__CHAT", "1")
    with pytest.raises(ConfigError, match="unknown setting TRADESTACK_TELEGRAM__CHAT"):
        load_settings()
