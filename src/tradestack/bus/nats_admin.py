"""What ``migrate bus`` needs from NATS JetStream: group backlogs, set-up, marking groups done.

A group's backlog is every message on its filter above the consumer's ack
floor (acknowledged out of order or not: JetStream does not list which, so
some already handled may be included: at-least-once). They are read through
a temporary consumer that acknowledges nothing, so looking changes nothing.
Marking done recreates each durable consumer to start after the last message.
"""

from __future__ import annotations

from collections.abc import Iterable

import msgspec
import nats
from nats.aio.client import Client
from nats.errors import Error as NatsError
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, ConsumerInfo, DeliverPolicy
from nats.js.errors import NotFoundError

from tradestack.bus.codec import decode_event
from tradestack.bus.delivery import matches
from tradestack.bus.migration import Backlog, GroupBacklog
from tradestack.bus.nats_layout import (
    NatsNames,
    ensure_streams,
    group_and_pattern,
    group_consumer_config,
)
from tradestack.config.settings import BusSettings
from tradestack.domain.events import Event
from tradestack.errors import BusUnavailableError

FETCH_BATCH = 1_000


def _floor(info: ConsumerInfo) -> int:
    """Return the stream sequence up to which ``info``'s group has acknowledged everything.

    A consumer that has acknowledged all it was given is done up to its last
    delivery. One that was given messages but acknowledged none reports a zero
    floor; then its start sequence (or 0) is the floor, which may count some
    older events as backlog: they are copied once more, never lost.
    """
    delivered, acked = info.delivered, info.ack_floor
    if delivered is not None and (acked is None or acked.consumer_seq == delivered.consumer_seq):
        return delivered.stream_seq or 0
    if acked is not None and acked.consumer_seq:
        return acked.stream_seq or 0
    return max((info.config.opt_start_seq or 1) - 1, 0)


class NatsBusAdmin:
    """Inspects and adjusts the events stream and group consumers of one namespace."""

    def __init__(self, url: str, settings: BusSettings) -> None:
        self.url = url
        self.settings = settings
        self.names = NatsNames(settings.namespace)
        self.description = f"nats {url} (namespace {settings.namespace})"
        self._client: Client | None = None
        self._js: JetStreamContext | None = None
        self._seen: list[ConsumerInfo] = []
        self._last_seq = 0

    async def open(self) -> None:
        try:
            self._client = await nats.connect(self.url, max_reconnect_attempts=3, connect_timeout=2)
        except (NatsError, OSError, TimeoutError) as error:
            raise BusUnavailableError(f"{self.description} is unreachable: {error!r}") from None
        self._js = self._client.jetstream(timeout=10)
        await ensure_streams(self._js, self.names, self.settings)

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()

    async def position(self) -> str:
        state = (await self._require_js().stream_info(self.names.events_stream)).state
        return f"{state.last_seq}/{state.messages}"

    async def backlog(self) -> Backlog:
        js = self._require_js()
        stream = self.names.events_stream
        self._last_seq = (await js.stream_info(stream)).state.last_seq
        self._seen = []
        floors: dict[str, tuple[str, int]] = {}
        for info in await js.consumers_info(stream):
            named = group_and_pattern(info.config.description)
            if not info.config.durable_name or named is None:
                continue  # anonymous or foreign consumers are not migrated
            self._seen.append(info)
            floors[named[0]] = (named[1], _floor(info))
        ids: dict[str, set[str]] = {group: set() for group in floors}
        events: list[Event] = []
        if floors:
            lowest = min(floor for _pattern, floor in floors.values())
            async for seq, event in self._read_from(lowest + 1):
                wanted = False
                for group, (pattern, floor) in floors.items():
                    if seq > floor and matches(pattern, event.event_type):
                        ids[group].add(event.event_id)
                        wanted = True
                if wanted:
                    events.append(event)
        groups = [
            GroupBacklog(group, floors[group][0], frozenset(ids[group])) for group in sorted(ids)
        ]
        unique: dict[str, Event] = {}
        for event in events:
            unique.setdefault(event.event_id, event)
        return Backlog(groups, list(unique.values()))

    async def prepare(self, groups: Iterable[tuple[str, str]], event_types: set[str]) -> None:
        js = self._require_js()
        for group, pattern in groups:
            config = group_consumer_config(
                self.names, self.settings, group=group, pattern=pattern, durable=True
            )
            try:
                await js.consumer_info(self.names.events_stream, config.name or "")
            except NotFoundError:
                await js.add_consumer(self.names.events_stream, config)

    async def mark_consumed(self) -> None:
        js = self._require_js()
        stream = self.names.events_stream
        for info in self._seen:
            config = info.config
            config.deliver_policy = DeliverPolicy.BY_START_SEQUENCE
            config.opt_start_seq = self._last_seq + 1
            config.opt_start_time = None
            await js.delete_consumer(stream, info.name)
            await js.add_consumer(stream, config)

    async def _read_from(self, first_seq: int):  # type: ignore[no-untyped-def]
        """Yield ``(stream sequence, event)`` from ``first_seq`` up to the last one seen."""
        js = self._require_js()
        if first_seq > self._last_seq:
            return
        subscription = await js.pull_subscribe(
            self.names.events_prefix + ">",
            stream=self.names.events_stream,
            config=ConsumerConfig(
                ack_policy=AckPolicy.NONE,
                deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
                opt_start_seq=first_seq,
                inactive_threshold=30.0,
            ),
        )
        name = (await subscription.consumer_info()).name
        try:
            seq = first_seq - 1
            while seq < self._last_seq:
                try:
                    messages = await subscription.fetch(FETCH_BATCH, timeout=5)
                except TimeoutError:
                    return  # the rest was removed by the stream's limits
                for message in messages:
                    seq = message.metadata.sequence.stream
                    if seq > self._last_seq:
                        return
                    try:
                        yield seq, decode_event(message.data)
                    except msgspec.DecodeError:
                        continue
        finally:
            await subscription.unsubscribe()
            await js.delete_consumer(self.names.events_stream, name)

    def _require_js(self) -> JetStreamContext:
        if self._js is None:
            raise BusUnavailableError(f"{self.description} is not open")
        return self._js
