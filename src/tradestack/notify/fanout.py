"""NotificationDispatcher: one queue in, every opted-in channel out, each failure isolated.

Bus handlers only enqueue (dropping, with a count, when the queue is full), so
a slow or dead channel never slows trading; a sender task delivers to all
channels concurrently and a channel that raises or hangs is logged and
counted without affecting the others.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from tradestack.bus.port import EventBus
from tradestack.domain.events import Event
from tradestack.domain.notifications import Notification, NotificationKind
from tradestack.lifecycle import Component
from tradestack.notify.messages import KINDS, notification_from_event
from tradestack.notify.port import Notifier

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Channel:
    notifier: Notifier
    kinds: frozenset[NotificationKind]
    sent: int = 0
    failed: int = 0
    last_error: str | None = None


@dataclass(slots=True)
class Delivery:
    """What one notification did on each channel: ``None`` when delivered, else the error."""

    results: dict[str, str | None] = field(default_factory=dict)


class NotificationDispatcher(Component):
    name = "notifications"

    def __init__(
        self,
        *,
        bus: EventBus,
        channels: Sequence[Channel],
        queue_size: int = 1_000,
        send_timeout_s: float = 10.0,
        drain_timeout_s: float = 15.0,
    ) -> None:
        super().__init__()
        self.bus = bus
        self.channels = list(channels)
        self.send_timeout_s = send_timeout_s
        self.drain_timeout_s = drain_timeout_s
        self.dropped = 0
        self._queue: asyncio.Queue[Notification] = asyncio.Queue(queue_size)

    @property
    def kinds(self) -> frozenset[NotificationKind]:
        return frozenset().union(*(c.kinds for c in self.channels))

    async def _on_start(self) -> None:
        wanted = self.kinds
        for event_type, kind in KINDS.items():
            if kind in wanted:
                self.bus.subscribe(event_type, self.on_event, group=f"{self.name}:{event_type}")
        self.spawn(self._send_queued(), "send")

    async def _on_stop(self) -> None:
        try:
            await asyncio.wait_for(self._queue.join(), self.drain_timeout_s)
        except TimeoutError:
            log.warning("stopping with %d notification(s) unsent", self._queue.qsize())
        for channel in self.channels:
            try:
                await channel.notifier.close()
            except Exception as error:
                log.warning("closing channel %s failed: %s", channel.notifier.name, error)

    async def on_event(self, event: Event) -> None:
        notification = notification_from_event(event)
        if notification is not None:
            self.enqueue(notification)

    def enqueue(self, notification: Notification) -> None:
        """Queue a notification without waiting; drop it (counted, logged) when full."""
        try:
            self._queue.put_nowait(notification)
        except asyncio.QueueFull:
            self.dropped += 1
            log.warning("notification queue full: dropped a %s", notification.kind.value)

    async def _send_queued(self) -> None:
        while True:
            notification = await self._queue.get()
            try:
                await self.deliver(notification)
            finally:
                self._queue.task_done()

    async def deliver(self, notification: Notification) -> Delivery:
        """Send now to every channel that opted into its kind; never raises for a channel."""
        wanted = notification.channels
        targets = [
            c
            for c in self.channels
            if notification.kind in c.kinds and (wanted is None or c.notifier.name in wanted)
        ]
        errors = await asyncio.gather(*(self._send_one(c, notification) for c in targets))
        return Delivery({c.notifier.name: e for c, e in zip(targets, errors, strict=True)})

    async def _send_one(self, channel: Channel, notification: Notification) -> str | None:
        try:
            await asyncio.wait_for(channel.notifier.send(notification), self.send_timeout_s)
        except Exception as error:  # a failing channel must not affect the others
            channel.failed += 1
            if isinstance(error, TimeoutError):
                channel.last_error = f"no answer within {self.send_timeout_s} s"
            else:
                channel.last_error = f"{type(error).__name__}: {error}"
            log.warning(
                "channel %s failed on a %s notification: %s",
                channel.notifier.name,
                notification.kind.value,
                channel.last_error,
            )
            return channel.last_error
        channel.sent += 1
        return None

    def health(self) -> dict[str, object]:
        return {
            "state": self.state.value,
            "queued": self._queue.qsize(),
            "dropped": self.dropped,
            "channels": {
                c.notifier.name: {"sent": c.sent, "failed": c.failed, "last_error": c.last_error}
                for c in self.channels
            },
        }
