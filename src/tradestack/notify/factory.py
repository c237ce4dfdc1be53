"""Build the configured notification channels from the settings (the one place that chooses)."""

from __future__ import annotations

from tradestack.config.settings import Settings
from tradestack.errors import ConfigError
from tradestack.notify.fanout import Channel
from tradestack.notify.log import LogNotifier
from tradestack.notify.port import Notifier


def build_channels(settings: Settings) -> list[Channel]:
    """Return one Channel per name in ``notify.channels``.

    Raises
    ------
    ConfigError
        A channel lacks what it needs (webhook URL, Telegram token or chat ids).
    """
    notify = settings.notify
    channels = []
    for name in dict.fromkeys(notify.channels):
        channels.append(Channel(notifier=_notifier(name, settings), kinds=notify.events_for(name)))
    return channels


def _notifier(name: str, settings: Settings) -> Notifier:
    notify = settings.notify
    if name == "log":
        return LogNotifier()
    if name == "webhook":
        if not notify.webhook_url:
            raise ConfigError("notify.channels has webhook but notify.webhook_url is not set")
        from tradestack.notify.webhook import WebhookNotifier

        secret = notify.webhook_secret
        return WebhookNotifier(
            url=notify.webhook_url,
            secret=secret.get_secret_value().encode() if secret is not None else None,
            timeout_s=notify.webhook_timeout_s,
        )
    telegram = settings.telegram
    if telegram.token is None or not telegram.allowed_chat_ids:
        raise ConfigError(
            "notify.channels has telegram but telegram.token or telegram.allowed_chat_ids "
            "is not set"
        )
    from tradestack.notify.telegram import TelegramNotifier, make_bot

    token = telegram.token.get_secret_value()
    return TelegramNotifier(
        bot=make_bot(token, telegram.base_url), token=token, chat_ids=telegram.allowed_chat_ids
    )
