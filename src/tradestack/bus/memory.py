"""In-memory event bus: the embedded default, one bounded queue and worker per group."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from tradestack.bus.delivery import RetryPolicy, handle_with_retries, matches
from tradestack.bus.port import DeadLetter, EventHandler, RequestHandler
from tradestack.domain.events import Event
from tradestack.errors import BusTimeoutError, RemoteCallError

log = logging.getLogger(__name__)


@dataclass(slots=True)
class _Group:
    name: str
    pattern: str
    queue: asyncio.Queue[Event]
    handlers: list[EventHandler] = field(default_factory=list)
    workers: list[asyncio.Task[None]] = field(default_factory=list)
    handled: int = 0
    failed: int = 0
    retried: int = 0


class InMemoryBus:
    """Events pass by reference (no copies); a full queue makes ``publish`` wait.

    Each subscription group has one bounded queue; every handler registered in
    the group is a competing worker on it, so a slow group slows its publisher
    (back-pressure) rather than growing memory without bound. A handler that
    raises is retried in place (order is kept) up to ``retry.max_deliver``
    deliveries; then the event is dead-lettered (``failed`` counts those).
    """

    def __init__(
        self,
        *,
        queue_size: int = 10_000,
        retry: RetryPolicy | None = None,
        dead_letter_capacity: int = 10_000,
    ) -> None:
        self._queue_size = queue_size
        self._retry = retry or RetryPolicy(max_deliver=1)
        self._dead_letters: deque[DeadLetter] = deque(maxlen=dead_letter_capacity)
        self._groups: dict[str, _Group] = {}
        self._routes: dict[str, list[_Group]] = {}
        self._servers: dict[tuple[str, str], RequestHandler] = {}
        self._running = False
        self._anonymous = 0

    async def start(self) -> None:
        self._running = True
        for group in self._groups.values():
            self._start_workers(group)

    async def close(self) -> None:
        if not self._running:
            return
        self._running = False
        for group in self._groups.values():
            await group.queue.join()
        for group in self._groups.values():
            for task in group.workers:
                task.cancel()
            await asyncio.gather(*group.workers, return_exceptions=True)
            group.workers.clear()

    async def publish(self, event: Event) -> None:
        for group in self._route(event.event_type):
            try:
                group.queue.put_nowait(event)
            except asyncio.QueueFull:
                await group.queue.put(event)

    async def publish_many(self, events: Sequence[Event]) -> None:
        route = self._route
        for event in events:
            for group in route(event.event_type):
                try:
                    group.queue.put_nowait(event)  # no coroutine per event while there is room
                except asyncio.QueueFull:
                    await group.queue.put(event)

    def subscribe(self, pattern: str, handler: EventHandler, *, group: str | None = None) -> None:
        if group is None:
            self._anonymous += 1
            group = f"_anonymous_{self._anonymous}"
        entry = self._groups.get(group)
        if entry is None:
            entry = _Group(name=group, pattern=pattern, queue=asyncio.Queue(self._queue_size))
            self._groups[group] = entry
            self._routes.clear()
        elif entry.pattern != pattern:
            raise ValueError(f"group {group!r} already subscribes to {entry.pattern!r}")
        entry.handlers.append(handler)
        if self._running:
            entry.workers.append(asyncio.create_task(self._work(entry, handler)))

    def serve(self, service: str, command: str, handler: RequestHandler) -> None:
        self._servers[(service, command)] = handler

    async def call(
        self, service: str, command: str, params: dict[str, Any], *, timeout_s: float = 5.0
    ) -> dict[str, Any]:
        handler = self._servers.get((service, command))
        if handler is None:
            await asyncio.sleep(timeout_s)
            raise BusTimeoutError(f"no reply from {service}.{command} within {timeout_s} s")
        try:
            return await asyncio.wait_for(handler(params), timeout_s)
        except TimeoutError:
            raise BusTimeoutError(
                f"no reply from {service}.{command} within {timeout_s} s"
            ) from None
        except Exception as error:
            raise RemoteCallError(
                f"{service}.{command} failed: {type(error).__name__}: {error}"
            ) from error

    async def dead_letters(self, limit: int = 100) -> list[DeadLetter]:
        return list(self._dead_letters)[-limit:] if limit > 0 else []

    def health(self) -> dict[str, Any]:
        return {
            "adapter": "memory",
            "connected": self._running,
            "groups": {
                name: {
                    "pattern": g.pattern,
                    "lag": g.queue.qsize(),
                    "pending": g.queue.qsize(),
                    "handled": g.handled,
                    "failed": g.failed,
                    "retried": g.retried,
                }
                for name, g in self._groups.items()
            },
            "dead_letters": len(self._dead_letters),
        }

    def _route(self, event_type: str) -> list[_Group]:
        groups = self._routes.get(event_type)
        if groups is None:
            groups = [g for g in self._groups.values() if matches(g.pattern, event_type)]
            self._routes[event_type] = groups
        return groups

    def _start_workers(self, group: _Group) -> None:
        for handler in group.handlers[len(group.workers) :]:
            group.workers.append(asyncio.create_task(self._work(group, handler)))

    async def _work(self, group: _Group, handler: EventHandler) -> None:
        queue = group.queue
        while True:
            event = await queue.get()
            while True:  # then take what is already queued without awaiting get()
                try:
                    await handler(event)
                    group.handled += 1
                except Exception as error:
                    log.exception(
                        "handler for %s failed on event %s", group.pattern, event.event_id
                    )
                    await self._retry_or_dead_letter(group, handler, event, error)
                finally:
                    queue.task_done()
                try:
                    event = queue.get_nowait()
                except asyncio.QueueEmpty:
                    break

    async def _retry_or_dead_letter(
        self, group: _Group, handler: EventHandler, event: Event, error: Exception
    ) -> None:
        if self._retry.max_deliver > 1:
            group.retried += 1
        letter = await handle_with_retries(
            handler,
            event,
            policy=self._retry,
            group=group.name,
            delivered_before=1,
            last_error=error,
        )
        if letter is None:
            group.handled += 1
            return
        group.failed += 1
        self._dead_letters.append(letter)
