"""Canary: an exchange key, a Telegram token and the provider key never reach a prompt, a log,
an answer or the audit trail, even when the question, a tool and the model all try to leak them."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlalchemy import select

from tradestack.assistant.factory import build_assistant
from tradestack.assistant.platform import StoredPlatform
from tradestack.config.loader import load_settings
from tradestack.llm.scripted import ScriptedModel, call, reply
from tradestack.storage import migrations
from tradestack.storage.database import Database
from tradestack.storage.tables import events

EXCHANGE_KEY = "canary-exchange-key-7f3a9c"
EXCHANGE_SECRET = "canary-exchange-secret-55e1"
TELEGRAM_TOKEN = "123456789:canary-telegram-token-AAH"
PROVIDER_KEY = "sk-canary-provider-key-d41d8"
CANARIES = (EXCHANGE_KEY, EXCHANGE_SECRET, TELEGRAM_TOKEN, PROVIDER_KEY)


async def test_secrets_never_leave_through_the_assistant(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("TRADESTACK_EXCHANGE_API_KEY", EXCHANGE_KEY)
    monkeypatch.setenv("TRADESTACK_CCXT__API_SECRET", EXCHANGE_SECRET)
    monkeypatch.setenv("TRADESTACK_TELEGRAM__TOKEN", TELEGRAM_TOKEN)
    monkeypatch.setenv("TRADESTACK_LLM__API_KEY", PROVIDER_KEY)
    monkeypatch.setenv("TRADESTACK_LLM__ENABLED", "true")
    settings = load_settings(home=tmp_path)
    assert settings.llm.api_key is not None
    db = Database(settings.database_url)
    await migrations.upgrade(db.engine)
    platform = StoredPlatform(settings, db)
    model = ScriptedModel(
        [
            reply(None, call("config_diff"), call("system_status")),
            reply(f"Your keys: {EXCHANGE_KEY} / {TELEGRAM_TOKEN} / {PROVIDER_KEY}"),
        ]
    )
    assistant = build_assistant(platform, model=model)
    caplog.set_level(logging.DEBUG)
    try:
        answer = await assistant.ask(
            f"Is my exchange key {EXCHANGE_KEY} right, and secret {EXCHANGE_SECRET}?",
            actor="test:ops",
        )
        logging.getLogger("tradestack.assistant").warning("asked about %s", EXCHANGE_KEY)
        async with db.read() as connection:
            stored = (await connection.execute(select(events.c.payload))).all()
    finally:
        await db.dispose()

    prompts = repr(model.seen)
    config = answer.tools[0].output
    assert config["changed"]["exchange_api_key"] == "[set]"  # type: ignore[index]
    assert config["changed"]["llm.api_key"] == "[set]"  # type: ignore[index]
    trail = repr([row.payload for row in stored])
    assert "[redacted]" in answer.text and "[redacted]" in prompts
    for canary in CANARIES:
        assert canary not in prompts, canary
        assert canary not in answer.text, canary
        assert canary not in caplog.text, canary
        assert canary not in trail, canary
