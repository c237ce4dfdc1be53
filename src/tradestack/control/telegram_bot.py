"""TelegramBot: the control commands over Telegram, for allow-listed chats only.

A gate handler runs before all others: an update from any other chat is
dropped and logged with its chat id only, never its content. Answers come
from ``ControlService``; the token is redacted from library and httpx logs.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    ApplicationHandlerStop,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from tradestack.control.commands import COMMANDS, HELP, ControlService
from tradestack.errors import TradestackError
from tradestack.lifecycle import Component
from tradestack.notify.telegram import describe_error, guard_token

log = logging.getLogger(__name__)
Context = ContextTypes.DEFAULT_TYPE


class TelegramBot(Component):
    name = "telegram-bot"

    def __init__(
        self,
        *,
        token: str,
        allowed_chat_ids: Iterable[int],
        control: ControlService,
        base_url: str = "https://api.telegram.org/bot",
        polling: bool = True,
    ) -> None:
        super().__init__()
        guard_token(token)
        self._token = token
        self.allowed_chat_ids = frozenset(allowed_chat_ids)
        self.control = control
        self.polling = polling
        self.ignored = 0
        builder = ApplicationBuilder().token(token).base_url(base_url)
        if not polling:
            builder = builder.updater(None)
        self.application: Application = builder.build()  # type: ignore[type-arg]
        self.application.add_handler(TypeHandler(Update, self._gate), group=-1)
        self.application.add_handler(CommandHandler(COMMANDS, self._command))
        self.application.add_handler(MessageHandler(filters.COMMAND, self._unknown))
        self.application.add_error_handler(self._error)

    async def _on_start(self) -> None:
        app = self.application
        try:
            await app.initialize()
            await app.start()
            if self.polling and app.updater is not None:
                await app.updater.start_polling(drop_pending_updates=True)
        except TelegramError as error:
            raise TradestackError(
                f"telegram bot cannot start: {describe_error(error, self._token)}"
            ) from None

    async def _on_stop(self) -> None:
        app = self.application
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()

    async def process(self, update_data: dict[str, object]) -> None:
        """Handle one update given as the Bot API's JSON (what polling would deliver)."""
        update = Update.de_json(update_data, self.application.bot)
        await self.application.process_update(update)

    async def _gate(self, update: Update, _context: Context) -> None:
        chat = update.effective_chat
        if chat is None or chat.id not in self.allowed_chat_ids:
            self.ignored += 1
            log.warning(
                "ignored an update from chat %s: not on telegram.allowed_chat_ids",
                chat.id if chat is not None else "unknown",
            )
            raise ApplicationHandlerStop

    async def _command(self, update: Update, context: Context) -> None:
        message = update.effective_message
        chat = update.effective_chat
        if message is None or chat is None or not message.text:
            return
        command = message.text.split()[0].lstrip("/").split("@", 1)[0].lower()
        answer = await self.control.handle(chat.id, command, list(context.args or []))
        await message.reply_text(answer)

    async def _unknown(self, update: Update, _context: Context) -> None:
        if update.effective_message is not None:
            await update.effective_message.reply_text(f"Unknown command.\n{HELP}")

    async def _error(self, _update: object, context: Context) -> None:
        error = context.error
        if error is not None:
            log.error("telegram handler failed: %s", describe_error(error, self._token))
