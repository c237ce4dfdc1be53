"""LogNotifier: notifications as log lines, the channel that needs no configuration."""

from __future__ import annotations

import logging

from tradestack.domain.notifications import Notification

log = logging.getLogger("tradestack.notifications")


class LogNotifier:
    name = "log"

    def __init__(self, *, level: int = logging.INFO) -> None:
        self.level = level

    async def send(self, notification: Notification) -> None:
        log.log(
            self.level,
            "[%s] %s",
            notification.kind.value,
            notification.as_text().replace("\n", " | "),
        )

    async def close(self) -> None:
        return None
