"""TelegramNotifier: notifications as chat messages to the allow-listed chats.

Also home of the token hygiene both Telegram adapters share: the token sits in
the Bot API URL, which the library and httpx log, and in some library errors;
``guard_token`` redacts it from their log records and ``describe_error`` from
error text.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram import Bot
from telegram.error import TelegramError

from tradestack.domain.notifications import Notification
from tradestack.notify.port import NotifyError

MESSAGE_LIMIT = 4096
_VENDOR_LOGGERS = ("telegram", "httpx", "httpcore")


class _RedactToken(logging.Filter):
    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.token in message:
            record.msg = message.replace(self.token, "<token>")
            record.args = None
        return True


def guard_token(token: str) -> None:
    """Redact ``token`` from every record of the Telegram library's and httpx's loggers.

    A logger's filters see only its own records, so the filter goes on each
    logger of those packages that exists once they are imported.
    """
    redactor = _RedactToken(token)
    names = [
        name
        for name in list(logging.Logger.manager.loggerDict)
        if name.split(".", 1)[0] in _VENDOR_LOGGERS
    ]
    for name in {*_VENDOR_LOGGERS, *names}:
        logger = logging.getLogger(name)
        if not any(isinstance(f, _RedactToken) and f.token == token for f in logger.filters):
            logger.addFilter(redactor)


def describe_error(error: BaseException, token: str) -> str:
    return f"{type(error).__name__}: {error}".replace(token, "<token>")


def make_bot(token: str, base_url: str) -> Bot:
    guard_token(token)
    return Bot(token=token, base_url=base_url)


class TelegramNotifier:
    name = "telegram"

    def __init__(self, *, bot: Bot, token: str, chat_ids: Sequence[int]) -> None:
        self._bot = bot
        self._token = token
        self.chat_ids = list(chat_ids)
        self._ready = False

    async def send(self, notification: Notification) -> None:
        text = notification.as_text()[:MESSAGE_LIMIT]
        failures = []
        try:
            if not self._ready:
                await self._bot.initialize()
                self._ready = True
        except TelegramError as error:
            raise NotifyError(f"telegram: {describe_error(error, self._token)}") from None
        for chat_id in self.chat_ids:
            try:
                await self._bot.send_message(chat_id=chat_id, text=text)
            except TelegramError as error:
                failures.append(f"chat {chat_id}: {describe_error(error, self._token)}")
        if failures:
            raise NotifyError("telegram: " + "; ".join(failures))

    async def close(self) -> None:
        if self._ready:
            await self._bot.shutdown()
            self._ready = False
