"""Telegram /ask: the assistant answers in the chat; its proposals wait for /approve or /reject."""

from __future__ import annotations

import re

from tests.integration.notify.test_telegram_bot import ask, bot, kernel
from tests.support.http_stub import StubServer
from tradestack.assistant.factory import build_assistant
from tradestack.control.telegram_bot import TelegramBot
from tradestack.kernel import Kernel
from tradestack.llm.scripted import ScriptedModel, call, reply
from tradestack.storage.repositories.journal import count_events

__all__ = ["bot", "kernel"]


async def _specs_status(kernel: Kernel) -> str:
    return next(s.status for s in await kernel.traders.specs() if s.trader_id == "default")


async def test_ask_answers_and_a_proposed_stop_waits_for_approve(
    bot: tuple[TelegramBot, StubServer], kernel: Kernel
) -> None:
    telegram, _server = bot
    model = ScriptedModel(
        [
            reply(None, call("positions", {"trader_id": "default"})),
            reply("default holds 0.5 BTC/USDT."),
            reply(None, call("stop_trader", {"trader_id": "default"})),
            reply("Proposed."),
            reply(None, call("cancel_order", {"client_order_id": "default-1"})),
            reply("Proposed."),
        ]
    )
    telegram.control.assistant._assistant = build_assistant(kernel, model=model)
    assert "/ask QUESTION" in await ask(bot, "/help")
    assert await ask(bot, "/ask what does default hold?") == "default holds 0.5 BTC/USDT."

    proposed = await ask(bot, "/ask stop default")
    found = re.search(r"/approve (\w+)", proposed)
    assert found is not None and "stop_trader" in proposed
    assert await _specs_status(kernel) == "active"
    assert (await ask(bot, f"/approve {found.group(1)}")).startswith("executed: stop_trader")
    assert await _specs_status(kernel) == "stopped"
    assert "already" in await ask(bot, f"/approve {found.group(1)}")

    cancel = re.search(r"/reject (\w+)", await ask(bot, "/ask cancel default-1"))
    assert cancel is not None
    assert (await ask(bot, f"/reject {cancel.group(1)}")).startswith("Rejected cancel_order")
    async with kernel.db.read() as connection:
        assert await count_events(connection, "manual.action") == 1


async def test_ask_says_the_assistant_is_off_until_configured(
    bot: tuple[TelegramBot, StubServer],
) -> None:
    assert "the assistant is off" in await ask(bot, "/ask anything")
