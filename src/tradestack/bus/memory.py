"""In-memory event bus: the embedded default, one bounded queue and worker per group."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from tradestack.bus.delivery import RetryPolicy, matches
from tradestack.bus.group_consumer import GroupConsumer
from tradestack.bus.port import DeadLetter, EventHandler, RequestHandler
from tradestack.domain.events import Event
from tradestack.errors import BusTimeoutError, RemoteCallError

log = logging.getLogger(__name__)

FETCH_BATCH = 256


class MemoryQueueTransport:
    """The memory transport: one group's queue, shared by its competing consumers.

    There is no redelivery, so the engine retries a failed event in place.
    ``task_done`` is called when an event is settled, so ``queue.join`` waits
    for events being handled as well as queued ones.
    """

    def __init__(self, queue: asyncio.Queue[Event], dead_letters: deque[DeadLetter]) -> None:
        self.queue = queue
        self.dead_letters = dead_letters

    async def fetch(self) -> Iterator[Event]:
        return self._batch(await self.queue.get())

    def _batch(self, first: Event) -> Iterator[Event]:
        # Lazily: each further event leaves the queue only when the engine is ready for it,
        # so the queue bound still applies and competing consumers share the work.
        yield first
        get = self.queue.get_nowait
        for _ in range(FETCH_BATCH - 1):
            try:
                event = get()
            except asyncio.QueueEmpty:
                return
            yield event

    async def settle(self, settled: int, letters: list[DeadLetter]) -> None:
        self.dead_letters.extend(letters)
        done = self.queue.task_done
        for _ in range(settled):
            done()

    def wake(self) -> None:
        return None

    async def close(self) -> None:
        return None


@dataclass(slots=True)
class _Group:
    name: str
    pattern: str
    queue: asyncio.Queue[Event]
    consumers: list[GroupConsumer[None]] = field(default_factory=list)


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
            await asyncio.gather(*(consumer.stop() for consumer in group.consumers))

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
        consumer = GroupConsumer(
            group=group,
            pattern=pattern,
            handler=handler,
            transport=MemoryQueueTransport(entry.queue, self._dead_letters),
            retry=self._retry,
            name=f"{group}-{len(entry.consumers) + 1}",
        )
        entry.consumers.append(consumer)
        if self._running:
            consumer.start()

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
                    "handled": sum(c.handled for c in g.consumers),
                    "failed": sum(c.dead_lettered for c in g.consumers),
                    "retried": sum(c.retried for c in g.consumers),
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
        for consumer in group.consumers:
            if not consumer.running:
                consumer.start()
