"""The EventBus port: what every adapter (memory, Redis Streams, NATS JetStream) offers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol

from tradestack.domain.events import Event

EventHandler = Callable[[Event], Awaitable[None]]
RequestHandler = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]


class EventBus(Protocol):
    """Publish/subscribe by event type plus request/reply between services.

    Delivery is at-least-once; handlers must be idempotent on ``event_id``.
    Subscriptions sharing a ``group`` compete for events (each event goes to one
    of them); different groups each get every event.
    """

    async def start(self) -> None: ...

    async def close(self) -> None:
        """Stop taking new events, let in-flight handlers finish, then release resources."""
        ...

    async def publish(self, event: Event) -> None: ...

    async def publish_many(self, events: Sequence[Event]) -> None: ...

    def subscribe(self, pattern: str, handler: EventHandler, *, group: str | None = None) -> None:
        """Call ``handler`` for events whose type matches ``pattern`` (``order.*`` globs)."""
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

    def health(self) -> dict[str, Any]: ...
