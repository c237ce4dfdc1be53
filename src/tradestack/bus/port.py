"""The EventBus port: what every adapter (memory, Redis Streams, NATS JetStream) offers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

import msgspec

from tradestack.domain.events import Event

EventHandler = Callable[[Event], Awaitable[None]]
RequestHandler = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]


class DeadLetter(msgspec.Struct, frozen=True, kw_only=True):
    """An event a group gave up on after ``deliveries`` attempts, with the last error."""

    event: Event
    group: str
    error: str
    deliveries: int
    ts: datetime = msgspec.field(default_factory=lambda: datetime.now(UTC))


class EventBus(Protocol):
    """Publish/subscribe by event type plus request/reply between services.

    Delivery is at-least-once; handlers must be idempotent on ``event_id``
    (``bus.idempotent.idempotent`` wraps a handler so). Subscriptions sharing a
    ``group`` compete for events (each event goes to one of them); different
    groups each get every event published after they subscribed. An event is
    acknowledged when its handler returns; a handler that raises is retried up
    to ``max_deliver`` deliveries, then the event is dead-lettered with the error
    and the group moves on.
    """

    async def start(self) -> None: ...

    async def close(self) -> None:
        """Stop taking new events, let in-flight handlers finish, then release resources."""
        ...

    async def publish(self, event: Event) -> None:
        """Hand ``event`` to the bus; on a broker, return once the broker has stored it."""
        ...

    async def publish_many(self, events: Sequence[Event]) -> None:
        """Publish ``events`` in order, batched into as few round trips as the broker allows."""
        ...

    def subscribe(self, pattern: str, handler: EventHandler, *, group: str | None = None) -> None:
        """Call ``handler`` for events whose type matches ``pattern`` (``order.*`` globs).

        Events of one type reach one consumer in publish order, so the events of
        one trader stay in order; a retried event may come after later ones.
        """
        ...

    def serve(self, service: str, command: str, handler: RequestHandler) -> None:
        """Answer ``call(service, command, ...)`` requests with ``handler``."""
        ...

    async def call(
        self, service: str, command: str, params: dict[str, Any], *, timeout_s: float = 5.0
    ) -> dict[str, Any]:
        """Send a request and wait for its reply.

        Raises
        ------
        BusTimeoutError
            No reply within ``timeout_s`` (including when nobody serves ``service``).
        RemoteCallError
            The handler raised; the message names its error.
        """
        ...

    async def dead_letters(self, limit: int = 100) -> list[DeadLetter]:
        """Return the newest ``limit`` dead-lettered events, oldest first."""
        ...

    def health(self) -> dict[str, Any]:
        """Return ``connected`` and, per group, ``lag`` (not yet read) and ``pending``."""
        ...
