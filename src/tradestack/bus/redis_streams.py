"""Redis Streams adapter of the EventBus port: a stream per event type, consumer groups.

Layout under the namespace ``ns`` (``settings.bus.namespace``, ``tradestack``):

- ``ns:events:<type>``: one stream per event type, trimmed with ``MAXLEN ~``;
- ``ns:types``: the set of types ever published, read by pattern subscriptions
  every ``discover_interval_s`` to find new streams;
- ``ns:groups``: group -> pattern of durable subscriptions (for ``migrate bus``);
- ``ns:dlq``: dead letters (event, group, error, deliveries);
- ``ns:rpc:<service>`` and ``ns:rpc:reply:<instance>``: request/reply.

A new group starts at the time of its ``subscribe`` (server clock), so it gets
every event published afterwards and nothing older; an existing group keeps
its position. Connection loss is retried with back-off everywhere; ``publish``
gives up with ``BusUnavailableError`` after ``publish_timeout_s``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from tradestack.bus.codec import encode_event
from tradestack.bus.delivery import (
    ANONYMOUS_PREFIX,
    Backoff,
    RetryPolicy,
    decode_dead_letter,
    is_glob,
    matches,
)
from tradestack.bus.group_consumer import GroupConsumer
from tradestack.bus.port import DeadLetter, EventHandler, RequestHandler
from tradestack.bus.redis_consumer import (
    CONNECTION_ERRORS,
    LETTER_FIELD,
    Receipt,
    RedisStreamTransport,
    create_group,
)
from tradestack.bus.redis_rpc import RedisRpc
from tradestack.config.settings import BusSettings
from tradestack.domain.events import Event
from tradestack.errors import BusUnavailableError

log = logging.getLogger(__name__)

T = TypeVar("T")
PUBLISH_CHUNK = 1_000
COMMAND_CONNECTIONS = 16

# XADD a batch in one round trip and one command: far cheaper for the client than
# a pipeline of XADDs (redis-py packs and parses each pipelined command in Python).
# ARGV = maxlen, then (index into KEYS, encoded event) pairs in publish order.
PUBLISH_BATCH_SCRIPT = """
local maxlen = ARGV[1]
for i = 2, #ARGV, 2 do
  redis.call('XADD', KEYS[tonumber(ARGV[i])], 'MAXLEN', '~', maxlen, '*', 'e', ARGV[i + 1])
end
return (#ARGV - 1) / 2
"""


def connect(url: str, *, max_connections: int | None = None) -> Redis:
    """Open a client that fails fast: our loops own retrying and back-off.

    With ``max_connections`` callers beyond it wait for a free connection
    (many concurrent publishes share a few sockets); without, every caller
    gets one, which blocking readers (XREADGROUP BLOCK, BLPOP) need.
    """
    options: dict[str, Any] = {
        "decode_responses": False,
        "socket_connect_timeout": 2,
        "socket_keepalive": True,
        "retry": Retry(NoBackoff(), 0),
    }
    if max_connections is None:
        return Redis.from_url(url, **options)
    pool = BlockingConnectionPool.from_url(url, max_connections=max_connections, **options)
    return Redis(connection_pool=pool)


class RedisKeys:
    """Key names under one namespace."""

    def __init__(self, namespace: str) -> None:
        self.namespace = namespace
        self.events_prefix = f"{namespace}:events:"
        self.types = f"{namespace}:types"
        self.groups = f"{namespace}:groups"
        self.dlq = f"{namespace}:dlq"

    def stream(self, event_type: str) -> str:
        return self.events_prefix + event_type

    def event_type(self, stream: str) -> str:
        return stream.removeprefix(self.events_prefix)


class RedisStreamsBus:
    """The EventBus port on Redis Streams (see the module docstring for the layout)."""

    def __init__(self, url: str, settings: BusSettings | None = None) -> None:
        self.url = url
        self.settings = settings or BusSettings()
        self.keys = RedisKeys(self.settings.namespace)
        self.instance = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self._redis = connect(url, max_connections=COMMAND_CONNECTIONS)
        self._blocking = connect(url)
        self._publish_batch = self._redis.register_script(PUBLISH_BATCH_SCRIPT)
        self._retry = RetryPolicy(
            max_deliver=self.settings.max_deliver,
            backoff_s=self.settings.retry_backoff_s,
            max_backoff_s=self.settings.reconnect_max_backoff_s,
        )
        self._rpc = RedisRpc(
            redis=self._redis,
            blocking=self._blocking,
            namespace=self.settings.namespace,
            instance=self.instance,
            settings=self.settings,
        )
        self._consumers: list[GroupConsumer[Receipt]] = []
        self._transports: list[RedisStreamTransport] = []
        self._patterns: dict[str, str] = {}
        self._anonymous: set[str] = set()
        self._known_types: set[str] = set()
        self._outbox: list[tuple[Event, asyncio.Future[None]]] = []
        self._sender: asyncio.Task[None] | None = None
        self._clock_offset_ms = 0
        self._running = False
        self._connected = False
        self._stats: dict[str, dict[str, int]] = {}
        self._monitor: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self._running:
            return
        try:
            seconds, micros = await self._redis.time()
        except RedisError as error:
            raise BusUnavailableError(f"Redis at {self.url} is unreachable: {error}") from None
        self._clock_offset_ms = seconds * 1000 + micros // 1000 - int(time.time() * 1000)
        start_id = self._start_id()
        try:
            await self._discover()
            for transport in self._transports:
                transport.start_id = start_id
                await transport.create_groups()
        except RedisError as error:
            raise BusUnavailableError(f"cannot set up groups on Redis: {error}") from None
        self._connected = True
        self._running = True
        for consumer in self._consumers:
            consumer.start()
        await self._rpc.start()
        self._monitor = asyncio.create_task(self._watch(), name="redis-bus-monitor")

    async def close(self) -> None:
        if not self._running:
            return
        self._running = False
        if self._sender is not None:
            await asyncio.gather(self._sender, return_exceptions=True)
        await asyncio.gather(*(consumer.stop() for consumer in self._consumers))
        await self._rpc.close()
        if self._monitor is not None:
            self._monitor.cancel()
            await asyncio.gather(self._monitor, return_exceptions=True)
        await self._drop_anonymous_groups()
        await self._redis.aclose()
        await self._blocking.aclose()
        self._connected = False

    async def publish(self, event: Event) -> None:
        """Queue ``event`` for the next batch: concurrent publishes share one round trip.

        One sender drains the queue in order, so events published from one
        process are stored in the order ``publish`` was called.
        """
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._outbox.append((event, future))
        if self._sender is None or self._sender.done():
            self._sender = asyncio.create_task(self._send_outbox(), name="redis-publisher")
        await future

    async def _send_outbox(self) -> None:
        while self._outbox:
            batch = self._outbox[:PUBLISH_CHUNK]
            del self._outbox[:PUBLISH_CHUNK]
            events = [event for event, _future in batch]
            try:
                await self._retrying(lambda events=events: self._publish_chunk(events))  # type: ignore[misc]
            except Exception as error:
                for _event, future in batch:
                    if not future.done():
                        future.set_exception(error)
                continue
            for _event, future in batch:
                if not future.done():
                    future.set_result(None)

    async def publish_many(self, events: Sequence[Event]) -> None:
        for start in range(0, len(events), PUBLISH_CHUNK):
            chunk = events[start : start + PUBLISH_CHUNK]
            await self._retrying(lambda chunk=chunk: self._publish_chunk(chunk))  # type: ignore[misc]

    async def _publish_chunk(self, events: Sequence[Event]) -> None:
        new_types = {e.event_type for e in events} - self._known_types
        if new_types:
            await self._register_types(new_types)
        stream_of = self.keys.stream
        key_index: dict[str, bytes] = {}
        keys: list[str] = []
        args: list[bytes | str] = [str(self.settings.stream_maxlen)]
        for event in events:
            index = key_index.get(event.event_type)
            if index is None:
                keys.append(stream_of(event.event_type))
                index = key_index[event.event_type] = str(len(keys)).encode()
            args.append(index)
            args.append(encode_event(event))
        await self._publish_batch(keys=keys, args=args)

    async def _register_types(self, event_types: set[str]) -> None:
        """Record new types; give a brand-new stream the durable pattern groups it matches.

        A pattern group learns of a new stream only while one of its consumers
        runs; creating its group here (from the stream's first entry) keeps
        events of a new type waiting for a group whose consumers are all down.
        """
        async with self._redis.pipeline(transaction=False) as pipe:
            for event_type in sorted(event_types):
                pipe.sadd(self.keys.types, event_type)
            pipe.hgetall(self.keys.groups)
            *added, groups = await pipe.execute()
        fresh = [t for t, new in zip(sorted(event_types), added, strict=True) if new]
        for event_type in fresh:
            for group, pattern in groups.items():
                if matches(pattern.decode(), event_type):
                    await create_group(
                        self._redis, self.keys.stream(event_type), group.decode(), "0"
                    )
        self._known_types |= event_types

    async def _retrying(self, operation: Callable[[], Awaitable[T]]) -> T:
        deadline = time.monotonic() + self.settings.publish_timeout_s
        backoff = Backoff(self.settings.reconnect_max_backoff_s)
        while True:
            try:
                result = await operation()
                self._connected = True
                return result
            except CONNECTION_ERRORS as error:
                self._connected = False
                if time.monotonic() >= deadline:
                    raise BusUnavailableError(
                        f"Redis at {self.url} unreachable for "
                        f"{self.settings.publish_timeout_s} s: {error}"
                    ) from None
                log.warning("publish to Redis failed (%s); retrying", error)
                await backoff.wait()
            except RedisError as error:
                raise BusUnavailableError(f"Redis refused the publish: {error}") from None

    def subscribe(self, pattern: str, handler: EventHandler, *, group: str | None = None) -> None:
        if group is None:
            group = f"{ANONYMOUS_PREFIX}{self.instance}_{len(self._anonymous) + 1}"
            self._anonymous.add(group)
        known = self._patterns.setdefault(group, pattern)
        if known != pattern:
            raise ValueError(f"group {group!r} already subscribes to {known!r}")
        name = f"{self.instance}-{len(self._consumers) + 1}"
        transport = RedisStreamTransport(
            redis=self._blocking,
            group=group,
            consumer=name,
            dlq=self.keys.dlq,
            settings=self.settings,
            on_connection=self._set_connected,
        )
        if not is_glob(pattern):
            transport.add_streams({self.keys.stream(pattern)})
        consumer = GroupConsumer(
            group=group,
            pattern=pattern,
            handler=handler,
            transport=transport,
            retry=self._retry,
            name=name,
        )
        self._consumers.append(consumer)
        self._transports.append(transport)
        if self._running:
            transport.start_id = self._start_id()
            transport.add_streams(self._matching_streams(pattern))
            consumer.start()

    def serve(self, service: str, command: str, handler: RequestHandler) -> None:
        self._rpc.serve(service, command, handler)

    async def call(
        self, service: str, command: str, params: dict[str, Any], *, timeout_s: float = 5.0
    ) -> dict[str, Any]:
        return await self._rpc.call(service, command, params, timeout_s)

    async def dead_letters(self, limit: int = 100) -> list[DeadLetter]:
        if limit <= 0:
            return []
        try:
            entries = await self._redis.xrevrange(self.keys.dlq, count=limit)
        except RedisError as error:
            raise BusUnavailableError(f"cannot read dead letters: {error}") from None
        return [decode_dead_letter(fields[LETTER_FIELD]) for _id, fields in reversed(entries)]

    def health(self) -> dict[str, Any]:
        groups: dict[str, dict[str, Any]] = {}
        for consumer, transport in zip(self._consumers, self._transports, strict=True):
            entry = groups.setdefault(
                consumer.group,
                {
                    "pattern": consumer.pattern,
                    "streams": 0,
                    "consumers": 0,
                    "handled": 0,
                    "retried": 0,
                    "failed": 0,
                    "reclaimed": 0,
                    **self._stats.get(consumer.group, {"lag": 0, "pending": 0}),
                },
            )
            entry["streams"] = max(entry["streams"], len(transport.streams))
            entry["consumers"] += 1
            entry["handled"] += consumer.handled
            entry["retried"] += consumer.retried
            entry["failed"] += consumer.dead_lettered
            entry["reclaimed"] += transport.reclaimed
        return {"adapter": "redis", "connected": self._connected, "groups": groups}

    def _set_connected(self, connected: bool) -> None:
        self._connected = connected

    def _start_id(self) -> str:
        return f"{int(time.time() * 1000) + self._clock_offset_ms - 1}-0"

    def _matching_streams(self, pattern: str) -> set[str]:
        if not is_glob(pattern):
            return {self.keys.stream(pattern)}
        return {self.keys.stream(t) for t in self._known_types if matches(pattern, t)}

    async def _discover(self) -> None:
        """Learn the published types and hand new matching streams to pattern consumers."""
        members = await self._redis.smembers(self.keys.types)
        self._known_types |= {m.decode() for m in members}
        durable = {g: p for g, p in self._patterns.items() if g not in self._anonymous}
        if durable:
            await self._redis.hset(self.keys.groups, mapping=durable)  # type: ignore[misc]
        for consumer, transport in zip(self._consumers, self._transports, strict=True):
            if is_glob(consumer.pattern):
                transport.add_streams(self._matching_streams(consumer.pattern))

    async def _watch(self) -> None:
        # Loops test a flag as well as being cancelled: a cancellation that lands inside
        # a redis-py call can surface as a connection error and be retried away.
        while self._running:
            await asyncio.sleep(self.settings.discover_interval_s)
            try:
                await self._discover()
                await self._refresh_stats()
                self._connected = True
            except CONNECTION_ERRORS as error:
                self._connected = False
                log.warning("Redis bus monitor: %s", error)
            except RedisError as error:
                log.warning("Redis bus monitor: %s", error)

    async def _refresh_stats(self) -> None:
        stats: dict[str, dict[str, int]] = {}
        seen: set[tuple[str, str]] = set()
        for transport in self._transports:
            for stream in transport.streams:
                if (transport.group, stream) in seen:
                    continue
                seen.add((transport.group, stream))
                entry = stats.setdefault(transport.group, {"lag": 0, "pending": 0})
                for info in await self._redis.xinfo_groups(stream):
                    if info["name"].decode() == transport.group:
                        entry["pending"] += int(info.get("pending") or 0)
                        entry["lag"] += int(info.get("lag") or 0)
        self._stats = stats

    async def _drop_anonymous_groups(self) -> None:
        for transport in self._transports:
            if transport.group not in self._anonymous:
                continue
            for stream in transport.streams:
                try:
                    await self._redis.xgroup_destroy(stream, transport.group)
                except RedisError as error:
                    log.info("could not drop group %s on %s: %s", transport.group, stream, error)
