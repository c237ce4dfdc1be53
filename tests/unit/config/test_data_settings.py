"""The ``data`` settings group: API keys from the environment convention, calendars, secrecy."""

from __future__ import annotations

import json

import pytest

from tradestack.config.loader import load_settings, masked
from tradestack.errors import ConfigError
from tradestack.marketdata.providers.factory import calendar_for, key_pool


def test_api_key_variables_fill_named_groups(monkeypatch: pytest.MonkeyPatch) -> None:
    for group in (1, 2):
        for number in range(1, 9):
            monkeypatch.setenv(f"API_KEY_G{group}_{number}", f"key-{group}-{number}-SECRET")
    settings = load_settings()
    assert {g: len(k) for g, k in settings.data.api_keys.items()} == {"g1": 8, "g2": 8}
    pool = key_pool(settings.data)
    assert pool is not None and len(pool) == 16 and pool.groups == ["g1", "g2"]
    shown = json.dumps(masked(settings), default=str) + repr(settings)
    assert "SECRET" not in shown


def test_calendars_are_checked_and_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "TRADESTACK_DATA__CALENDARS", '{"USD/COP": "sessions America/Bogota mon-fri 08:00-12:55"}'
    )
    settings = load_settings()
    assert calendar_for(settings.data, "USD/COP").timezone == "America/Bogota"
    assert calendar_for(settings.data, "BTC/USDT").always_open
    monkeypatch.setenv("TRADESTACK_DATA__CALENDARS", '{"USD/COP": "sessions Bogota mon-fri 8-12"}')
    with pytest.raises(ConfigError, match=r"data.calendars.*calendar of USD/COP"):
        load_settings()


def test_unknown_data_setting_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRADESTACK_DATA__PROVIDR", "ccxt")
    with pytest.raises(ConfigError, match="TRADESTACK_DATA__PROVIDR"):
        load_settings()
