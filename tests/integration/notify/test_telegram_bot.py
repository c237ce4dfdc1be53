"""The Telegram bot, driven with python-telegram-bot's own objects against a stand-in Bot API."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.support.http_stub import Request, Responder, StubServer, bot_api
from tradestack.config.loader import load_settings
from tradestack.control.commands import ControlService
from tradestack.control.telegram_bot import TelegramBot
from tradestack.domain.enums import OrderSide, OrderStatus, OrderType
from tradestack.domain.orders import Order
from tradestack.domain.positions import Position
from tradestack.kernel import Kernel
from tradestack.storage.repositories.journal import count_events
from tradestack.storage.repositories.orders import save_order
from tradestack.storage.repositories.portfolio import insert_equity_snapshot, save_position

TOKEN = "987654:ANOTHER-secret-token"
ALLOWED, STRANGER = 100, 999
NOW = datetime.now(UTC)


def update(text: str, chat_id: int = ALLOWED, n: int = 1) -> dict[str, Any]:
    command = text.split()[0]
    return {
        "update_id": n,
        "message": {
            "message_id": n,
            "date": int(NOW.timestamp()),
            "chat": {"id": chat_id, "type": "private"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "Ann"},
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(command)}],
        },
    }


async def seed(kernel: Kernel) -> None:
    """An open position, a working order and two equity snapshots for the default trader."""
    today = datetime.combine(NOW.date(), datetime.min.time(), tzinfo=UTC)
    async with kernel.db.transaction() as connection:
        await save_position(
            connection,
            Position(
                trader_id="default",
                symbol="BTC/USDT",
                quantity=Decimal("0.5"),
                average_price=Decimal(100),
                updated_at=NOW,
            ),
        )
        await save_order(
            connection,
            Order(
                client_order_id="default-1",
                trader_id="default",
                symbol="BTC/USDT",
                side=OrderSide.SELL,
                type=OrderType.LIMIT,
                quantity=Decimal("0.5"),
                price=Decimal(120),
                status=OrderStatus.SUBMITTED,
                created_at=NOW,
                updated_at=NOW,
            ),
        )
        for ts, equity in ((today - timedelta(minutes=1), "10000"), (NOW, "10123.45")):
            await insert_equity_snapshot(
                connection,
                "default",
                ts,
                equity=Decimal(equity),
                cash=Decimal(equity),
                realized_pnl=Decimal(0),
                unrealized_pnl=Decimal(0),
            )


@pytest.fixture
async def kernel(tmp_path: Path) -> AsyncIterator[Kernel]:
    k = Kernel.build(load_settings(home=tmp_path, run={"history_bars": 30, "timeframe": "1m"}))
    await k.prepare()
    await seed(k)
    await k.start()
    await k.feed.stop()
    yield k
    await k.stop()


@pytest.fixture
async def bot(
    kernel: Kernel, http_stub: Callable[[Responder], StubServer]
) -> AsyncIterator[tuple[TelegramBot, StubServer]]:
    server = http_stub(bot_api)
    control = ControlService(kernel, zone=ZoneInfo("UTC"))
    telegram = TelegramBot(
        token=TOKEN,
        allowed_chat_ids=[ALLOWED],
        control=control,
        base_url=server.url + "/bot",
        polling=False,
    )
    await telegram.start()
    yield telegram, server
    await telegram.stop()


def replies(server: StubServer) -> list[str]:
    return [r.fields["text"] for r in server.calls("/sendMessage")]


async def ask(bot: tuple[TelegramBot, StubServer], text: str, chat_id: int = ALLOWED) -> str:
    telegram, server = bot
    before = len(replies(server))
    await telegram.process(update(text, chat_id))
    answers = replies(server)[before:]
    return answers[0] if answers else ""


async def test_read_only_commands(
    bot: tuple[TelegramBot, StubServer], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    assert "/stopall" in await ask(bot, "/start")
    assert "/pnl - PnL today and this week" in await ask(bot, "/help")
    status = await ask(bot, "/status")
    assert "all-in-one" in status and "trader default: RUNNING" in status
    assert "USDT" in await ask(bot, "/balance")
    assert "default BTC/USDT 0.5" in await ask(bot, "/positions")
    assert "default SELL 0.5 BTC/USDT LIMIT @ 120 (SUBMITTED)" in await ask(bot, "/orders")
    assert "default: today +123.45, this week +123.45" in await ask(bot, "/pnl")
    assert "default: active (RUNNING), sma_cross on BTC/USDT 1m" in await ask(bot, "/traders")
    assert "Unknown command" in await ask(bot, "/launch")
    assert TOKEN not in caplog.text


async def test_stop_asks_for_confirmation_and_records_who(
    bot: tuple[TelegramBot, StubServer], kernel: Kernel
) -> None:
    assert await ask(bot, "/stop nobody") == "No trader named nobody."
    question = await ask(bot, "/stop default")
    assert kernel.traders.runners["default"].context.risk.halted is None  # not yet
    code = re.search(r"/confirm (\d{4})", question)
    assert code is not None
    wrong = "0000" if code.group(1) != "0000" else "1111"
    assert await ask(bot, f"/confirm {wrong}") == "Wrong confirmation code; nothing was done."
    assert (await ask(bot, f"/confirm {code.group(1)}")).startswith("default: halted, 1 order")
    assert kernel.traders.runners["default"].context.risk.halted == "emergency stop"
    assert await ask(bot, f"/confirm {code.group(1)}") == "Nothing to confirm."
    async with kernel.db.read() as connection:
        assert await count_events(connection, "manual.action") == 1


async def test_stopall_confirmation_expires(bot: tuple[TelegramBot, StubServer]) -> None:
    telegram, _server = bot
    control = telegram.control
    start = datetime(2026, 1, 1, tzinfo=UTC)
    control.clock = lambda: start
    code = re.search(r"/confirm (\d{4})", await ask(bot, "/stopall flatten"))
    assert code is not None and "EVERY trader" in await ask(bot, "/stopall")
    code = re.search(r"/confirm (\d{4})", await ask(bot, "/stopall"))
    assert code is not None
    control.clock = lambda: start + timedelta(seconds=61)
    assert "expired" in await ask(bot, f"/confirm {code.group(1)}")


async def test_unknown_chats_are_ignored_and_logged_without_content(
    bot: tuple[TelegramBot, StubServer], kernel: Kernel, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    telegram, server = bot
    await telegram.process(update("/stopall secret-words", chat_id=STRANGER))
    await telegram.process(update("/confirm 1234", chat_id=STRANGER, n=2))
    assert replies(server) == []
    assert telegram.ignored == 2
    assert f"ignored an update from chat {STRANGER}" in caplog.text
    assert "secret-words" not in caplog.text and "/stopall" not in caplog.text
    assert kernel.traders.runners["default"].context.risk.halted is None


async def test_polling_answers_through_get_updates(
    kernel: Kernel, http_stub: Callable[[Responder], StubServer]
) -> None:
    pending = [update("/traders", n=7)]

    def api(request: Request) -> tuple[int, dict[str, Any]]:
        if request.path.endswith("/getUpdates"):
            batch = pending[:]
            pending.clear()
            return 200, {"ok": True, "result": batch}
        return bot_api(request)

    server = http_stub(api)
    telegram = TelegramBot(
        token=TOKEN,
        allowed_chat_ids=[ALLOWED],
        control=ControlService(kernel, zone=ZoneInfo("UTC")),
        base_url=server.url + "/bot",
    )
    await telegram.start()
    try:
        for _ in range(100):
            if replies(server):
                break
            await asyncio.sleep(0.05)
    finally:
        await telegram.stop()
    assert replies(server)[0].startswith("default: active")
