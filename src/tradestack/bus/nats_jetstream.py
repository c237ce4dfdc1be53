"""NATS JetStream adapter of the EventBus port: one events stream, a durable consumer per group.

Layout under the namespace ``ns`` (``settings.bus.namespace``, ``tradestack``):

- stream ``NS_EVENTS`` on subjects ``ns.events.>``; an event of type ``order.filled``
  is stored on ``ns.events.order.filled``; at most ``stream_maxlen`` per type
  (a publish retried after a lost ack may be stored twice: handlers de-duplicate
  on ``event_id``; a ``Nats-Msg-Id`` header would cost a third of the throughput);
- a durable pull consumer per group, filtered to the group's pattern
  (``order.*`` -> ``ns.events.order.>``), ``ack_wait`` = ``claim_idle_s``;
- stream ``NS_DLQ`` on ``ns.dlq.<group>``: dead letters with their error;
- RPC on core NATS (``bus.nats_rpc``).

A new group gets the events published after its ``subscribe``; an existing
durable group keeps its position. The client reconnects forever; ``publish``
retries un-acknowledged messages until ``publish_timeout_s``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import nats
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.errors import Error as NatsError
from nats.js import JetStreamContext
from nats.js.api import DeliverPolicy
from nats.js.errors import NotFoundError

from tradestack.bus.codec import encode_event
from tradestack.bus.delivery import (
    ANONYMOUS_PREFIX,
    Backoff,
    RetryPolicy,
    decode_dead_letter,
    encode_rpc,
)
from tradestack.bus.group_consumer import GroupConsumer
from tradestack.bus.nats_consumer import NatsPullTransport
from tradestack.bus.nats_layout import NatsNames, ensure_streams, group_consumer_config
from tradestack.bus.nats_publisher import JetStreamPublisher
from tradestack.bus.nats_rpc import NatsRpc
from tradestack.bus.port import DeadLetter, EventHandler, RequestHandler
from tradestack.config.settings import BusSettings
from tradestack.domain.events import Event
from tradestack.errors import BusUnavailableError, ConfigError

log = logging.getLogger(__name__)

PUBLISH_CHUNK = 1_000


class NatsJetStreamBus:
    """The EventBus port on NATS JetStream (see the module docstring for the layout)."""

    def __init__(self, url: str, settings: BusSettings | None = None) -> None:
        self.url = url
        self.settings = settings or BusSettings()
        self.names = NatsNames(self.settings.namespace)
        self.instance = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self._retry = RetryPolicy(
            max_deliver=self.settings.max_deliver,
            backoff_s=self.settings.retry_backoff_s,
            max_backoff_s=self.settings.reconnect_max_backoff_s,
        )
        self._rpc = NatsRpc(self.settings.namespace)
        self._consumers: list[GroupConsumer[Msg]] = []
        self._patterns: dict[str, str] = {}
        self._anonymous: set[str] = set()
        self._pending_starts: set[asyncio.Task[None]] = set()
        self._client: Client | None = None
        self._js: JetStreamContext | None = None
        self._publisher: JetStreamPublisher | None = None
        self._running = False
        self._stats: dict[str, dict[str, int]] = {}
        self._monitor: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self._running:
            return
        await self._probe()
        try:
            self._client = await asyncio.wait_for(self._connect(), 5)
            self._js = self._client.jetstream(timeout=5)
            await ensure_streams(self._js, self.names, self.settings)
            self._publisher = JetStreamPublisher(self._client)
            await self._publisher.start()
            for consumer in self._consumers:
                await self._start_consumer(consumer, deliver_from=None)
            await self._rpc.start(self._client)
        except (NatsError, OSError, TimeoutError) as error:
            if self._client is not None:
                await self._client.close()
            raise BusUnavailableError(f"NATS at {self.url} is unusable: {error!r}") from None
        self._running = True
        self._monitor = asyncio.create_task(self._watch(), name="nats-bus-monitor")

    async def close(self) -> None:
        if not self._running or self._client is None:
            return
        self._running = False
        await asyncio.gather(*self._pending_starts, return_exceptions=True)
        await asyncio.gather(*(consumer.stop() for consumer in self._consumers))
        await self._rpc.close()
        if self._monitor is not None:
            self._monitor.cancel()
            await asyncio.gather(self._monitor, return_exceptions=True)
        await self._drop_anonymous_consumers()
        try:
            await self._client.drain()
        except NatsError as error:
            log.info("NATS drain failed: %s", error)
            await self._client.close()

    async def _probe(self) -> None:
        """Fail fast with a plain message when the (single) server refuses connections."""
        if "," in self.url:
            return
        parts = urlsplit(self.url if "://" in self.url else f"nats://{self.url}")
        try:
            _reader, writer = await asyncio.wait_for(
                asyncio.open_connection(parts.hostname or "127.0.0.1", parts.port or 4222), 2
            )
        except (OSError, TimeoutError) as error:
            raise BusUnavailableError(f"NATS at {self.url} is unreachable: {error}") from None
        writer.close()
        await writer.wait_closed()

    async def _connect(self) -> Client:
        async def disconnected() -> None:
            if self._running:
                log.warning("NATS connection lost; reconnecting")

        async def reconnected() -> None:
            log.warning("NATS connection re-established")
            for consumer in self._consumers:
                transport_of(consumer).connection_restored()

        async def error(exc: Exception) -> None:
            # A slow consumer's dropped messages are redelivered after ack_wait: worth a warning.
            log.log(logging.WARNING if self._running else logging.INFO, "NATS client: %r", exc)

        return await nats.connect(
            self.url,
            name=self.instance,
            allow_reconnect=True,
            max_reconnect_attempts=-1,
            reconnect_time_wait=0.25,
            connect_timeout=2,
            pending_size=16 * 1024 * 1024,
            disconnected_cb=disconnected,
            reconnected_cb=reconnected,
            error_cb=error,
        )

    async def publish(self, event: Event) -> None:
        await self.publish_many([event])

    async def publish_many(self, events: Sequence[Event]) -> None:
        for start in range(0, len(events), PUBLISH_CHUNK):
            await self._publish_chunk(events[start : start + PUBLISH_CHUNK])

    async def _publish_chunk(self, events: Sequence[Event]) -> None:
        publisher = self._require_publisher()
        subject = self.names.subject
        outstanding = [(subject(e.event_type), encode_event(e)) for e in events]
        deadline = time.monotonic() + self.settings.publish_timeout_s
        backoff = Backoff(self.settings.reconnect_max_backoff_s)
        while True:
            wait_s = max(min(deadline - time.monotonic(), 5.0), 0.1)
            failed = await publisher.publish(outstanding, wait_s)
            if not failed:
                return
            reason = next(iter(failed.values()))
            if time.monotonic() >= deadline:
                raise BusUnavailableError(
                    f"NATS did not store {len(failed)} event(s) within "
                    f"{self.settings.publish_timeout_s} s: {reason}"
                )
            log.warning("%d publish(es) not stored (%s); retrying", len(failed), reason)
            outstanding = [outstanding[index] for index in sorted(failed)]
            await backoff.wait()

    def subscribe(self, pattern: str, handler: EventHandler, *, group: str | None = None) -> None:
        self.names.filter_subject(pattern)
        if group is None:
            group = f"{ANONYMOUS_PREFIX}{self.instance}_{len(self._anonymous) + 1}"
            self._anonymous.add(group)
        known = self._patterns.setdefault(group, pattern)
        if known != pattern:
            raise ValueError(f"group {group!r} already subscribes to {known!r}")
        transport = NatsPullTransport(
            group=group,
            pattern=pattern,
            settings=self.settings,
            dead_letter=self._write_dead_letter,
        )
        consumer = GroupConsumer(
            group=group, pattern=pattern, handler=handler, transport=transport, retry=self._retry
        )
        self._consumers.append(consumer)
        if self._running:
            task = asyncio.create_task(self._start_consumer(consumer, datetime.now(UTC)))
            self._pending_starts.add(task)
            task.add_done_callback(self._pending_starts.discard)

    async def _start_consumer(
        self, consumer: GroupConsumer[Msg], deliver_from: datetime | None
    ) -> None:
        js = self._require_js()
        names = self.names
        stream = names.events_stream
        anonymous = consumer.group in self._anonymous
        name = names.durable(consumer.group)
        filter_subject = names.filter_subject(consumer.pattern)
        try:
            info = await js.consumer_info(stream, name)
            if info.config.filter_subject != filter_subject:
                raise ConfigError(
                    f"group {consumer.group!r} exists on NATS with filter "
                    f"{info.config.filter_subject!r}, not {filter_subject!r}; "
                    "delete the consumer or choose another group name"
                )
        except NotFoundError:
            config = group_consumer_config(
                names,
                self.settings,
                group=consumer.group,
                pattern=consumer.pattern,
                durable=not anonymous,
            )
            if deliver_from is not None:
                config.deliver_policy = DeliverPolicy.BY_START_TIME
                config.opt_start_time = deliver_from
            await js.add_consumer(stream, config)
        transport = transport_of(consumer)
        transport.consumer_name = name
        assert self._client is not None
        await transport.open(self._client, stream)
        consumer.start()

    def serve(self, service: str, command: str, handler: RequestHandler) -> None:
        task = self._rpc.serve(service, command, handler)
        if task is not None:
            self._pending_starts.add(task)
            task.add_done_callback(self._pending_starts.discard)

    async def call(
        self, service: str, command: str, params: dict[str, Any], *, timeout_s: float = 5.0
    ) -> dict[str, Any]:
        if self._client is None:
            raise BusUnavailableError("the NATS bus is not started")
        return await self._rpc.call(self._client, service, command, params, timeout_s)

    async def dead_letters(self, limit: int = 100) -> list[DeadLetter]:
        js = self._require_js()
        try:
            state = (await js.stream_info(self.names.dlq_stream)).state
            letters: list[DeadLetter] = []
            first = max(state.first_seq, state.last_seq - limit + 1, 1)
            for seq in range(first, state.last_seq + 1) if limit > 0 else ():
                try:
                    message = await js.get_msg(self.names.dlq_stream, seq)
                except NotFoundError:
                    continue
                if message.data:
                    letters.append(decode_dead_letter(message.data))
            return letters
        except (NatsError, TimeoutError) as error:
            raise BusUnavailableError(f"cannot read dead letters: {error!r}") from None

    def health(self) -> dict[str, Any]:
        groups: dict[str, dict[str, Any]] = {}
        for consumer in self._consumers:
            entry = groups.setdefault(
                consumer.group,
                {
                    "pattern": consumer.pattern,
                    "consumers": 0,
                    "handled": 0,
                    "retried": 0,
                    "failed": 0,
                    **self._stats.get(consumer.group, {"lag": 0, "pending": 0}),
                },
            )
            entry["consumers"] += 1
            entry["handled"] += consumer.handled
            entry["retried"] += consumer.retried
            entry["failed"] += consumer.dead_lettered
        connected = self._client is not None and self._client.is_connected
        return {"adapter": "nats", "connected": connected, "groups": groups}

    def _require_publisher(self) -> JetStreamPublisher:
        if self._publisher is None:
            raise BusUnavailableError("the NATS bus is not started")
        return self._publisher

    def _require_js(self) -> JetStreamContext:
        if self._js is None:
            raise BusUnavailableError("the NATS bus is not started")
        return self._js

    async def _write_dead_letter(self, letter: DeadLetter) -> None:
        """Store ``letter``; raising leaves its event unacknowledged, so it comes back later."""
        failed = await self._require_publisher().publish(
            [(self.names.dlq_subject(letter.group), encode_rpc(letter))],
            self.settings.publish_timeout_s,
        )
        if failed:
            raise BusUnavailableError(f"dead letter for {letter.group} not stored: {failed[0]}")

    async def _watch(self) -> None:
        js = self._require_js()
        while self._running:
            await asyncio.sleep(self.settings.discover_interval_s)
            stats: dict[str, dict[str, int]] = {}
            for consumer in self._consumers:
                name = transport_of(consumer).consumer_name
                if not name or consumer.group in stats:
                    continue
                try:
                    info = await js.consumer_info(self.names.events_stream, name)
                except (NatsError, TimeoutError) as error:
                    log.info("NATS bus monitor: %r", error)
                    continue
                stats[consumer.group] = {
                    "lag": int(info.num_pending or 0),
                    "pending": int(info.num_ack_pending or 0),
                }
            self._stats = stats

    async def _drop_anonymous_consumers(self) -> None:
        js = self._require_js()
        for consumer in self._consumers:
            name = transport_of(consumer).consumer_name
            if consumer.group in self._anonymous and name:
                try:
                    await js.delete_consumer(self.names.events_stream, name)
                except (NatsError, TimeoutError) as error:
                    log.info("could not delete consumer %s: %r", name, error)


def transport_of(consumer: GroupConsumer[Msg]) -> NatsPullTransport:
    transport = consumer.transport
    assert isinstance(transport, NatsPullTransport)
    return transport
