"""Each notifier against a real receiver: the log, a webhook server, a stand-in Bot API."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Callable

import pytest

from tests.support.http_stub import Request, Responder, StubServer, bot_api
from tradestack.domain.notifications import Notification, NotificationKind
from tradestack.notify.log import LogNotifier
from tradestack.notify.port import NotifyError
from tradestack.notify.telegram import TelegramNotifier, make_bot
from tradestack.notify.webhook import SIGNATURE_HEADER, WebhookNotifier

TOKEN = "123456:SECRET-token-never-logged"
NOTE = Notification(
    kind=NotificationKind.TRADE_EXECUTED,
    title="Trade alice: BUY 0.5 BTC/USDT @ 100.5",
    text="order alice-1 (MARKET)",
    details={"client_order_id": "alice-1"},
    trader_id="alice",
)
StubFactory = Callable[[Responder], StubServer]


async def test_log_notifier(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="tradestack.notifications")
    await LogNotifier().send(NOTE)
    assert "[trade_executed] Trade alice: BUY 0.5 BTC/USDT @ 100.5 | order alice-1" in caplog.text


async def test_webhook_posts_signed_json(http_stub: StubFactory) -> None:
    server = http_stub(lambda request: (200, {"ok": True}))
    notifier = WebhookNotifier(url=server.url + "/hook", secret=b"shared-secret")
    try:
        await notifier.send(NOTE)
    finally:
        await notifier.close()
    (request,) = server.requests
    expected = "sha256=" + hmac.new(b"shared-secret", request.body, hashlib.sha256).hexdigest()
    assert request.headers[SIGNATURE_HEADER.lower()] == expected
    assert request.headers["x-tradestack-event"] == "trade_executed"
    body = json.loads(request.body)
    assert body["kind"] == "trade_executed" and body["trader_id"] == "alice"
    assert body["details"] == {"client_order_id": "alice-1"}


async def test_webhook_failures_are_notify_errors(http_stub: StubFactory) -> None:
    server = http_stub(lambda request: (500, {"error": "down"}))
    failing = WebhookNotifier(url=server.url, secret=None)
    unreachable = WebhookNotifier(url="http://127.0.0.1:1/hook", secret=None, timeout_s=1)
    try:
        with pytest.raises(NotifyError, match="answered 500"):
            await failing.send(NOTE)
        with pytest.raises(NotifyError, match="unreachable: ConnectError"):
            await unreachable.send(NOTE)
    finally:
        await failing.close()
        await unreachable.close()
    assert SIGNATURE_HEADER.lower() not in server.requests[0].headers


async def test_telegram_sends_to_every_allowed_chat_without_logging_the_token(
    http_stub: StubFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    server = http_stub(bot_api)
    notifier = TelegramNotifier(
        bot=make_bot(TOKEN, server.url + "/bot"), token=TOKEN, chat_ids=[11, 22]
    )
    try:
        await notifier.send(NOTE)
    finally:
        await notifier.close()
    sent = server.calls("/sendMessage")
    assert [int(r.fields["chat_id"]) for r in sent] == [11, 22]
    assert sent[0].fields["text"] == NOTE.as_text()
    assert sent[0].path == f"/bot{TOKEN}/sendMessage"  # the token did reach the API
    assert caplog.records and TOKEN not in caplog.text  # and never a log line


async def test_telegram_errors_never_carry_the_token(
    http_stub: StubFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)

    def rejecting(request: Request) -> tuple[int, dict[str, object]]:
        return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}

    server = http_stub(rejecting)
    notifier = TelegramNotifier(bot=make_bot(TOKEN, server.url + "/bot"), token=TOKEN, chat_ids=[1])
    with pytest.raises(NotifyError) as raised:
        await notifier.send(NOTE)
    assert "InvalidToken" in str(raised.value)
    assert TOKEN not in str(raised.value) and TOKEN not in caplog.text
