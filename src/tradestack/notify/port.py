"""The Notifier port: one delivery channel (log, webhook, Telegram)."""

from __future__ import annotations

from typing import Protocol

from tradestack.domain.notifications import Notification
from tradestack.errors import TradestackError


class NotifyError(TradestackError):
    """A channel could not deliver a notification; the message says why (never a secret)."""


class Notifier(Protocol):
    name: str

    async def send(self, notification: Notification) -> None:
        """Deliver one notification.

        Raises
        ------
        NotifyError
            Delivery failed; vendor errors are translated into this at the adapter.
        """
        ...

    async def close(self) -> None:
        """Release connections; the notifier is not used afterwards."""
        ...
