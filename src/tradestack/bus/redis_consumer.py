"""The Redis Streams transport of the group consumer: XREADGROUP, XACK, XAUTOCLAIM, dead letters.

A ``RedisStreamTransport`` serves one ``subscribe`` call as one named consumer
of its group (one consumer name per handler, competing with the group's other
consumers) over the streams of every event type its pattern matches. The
engine (``bus.group_consumer``) decides about retries and dead letters; this
module only moves entries: a batch's XACKs ride on the next XREADGROUP round
trip, dead letters and their XACKs go in one MULTI, and every
``claim_idle_s / 2`` entries that a dead consumer left pending are
XAUTOCLAIMed page by page and handed to the engine with their delivery count.
Redis cannot redeliver on request, so failed entries are retried in place.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

import msgspec
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from tradestack.bus.codec import decode_event
from tradestack.bus.delivery import Backoff, encode_rpc
from tradestack.bus.group_consumer import Delivery
from tradestack.bus.port import DeadLetter
from tradestack.config.settings import BusSettings
from tradestack.domain.events import Event

log = logging.getLogger(__name__)

CONNECTION_ERRORS = (RedisConnectionError, RedisTimeoutError, OSError)
EVENT_FIELD = b"e"
LETTER_FIELD = b"d"

Receipt = tuple[str, bytes]  # (stream, entry id)


async def create_group(redis: Redis, stream: str, group: str, start_id: str) -> None:
    """Create ``group`` on ``stream`` (and the stream) unless it exists; keep its position if so."""
    try:
        await redis.xgroup_create(stream, group, id=start_id, mkstream=True)
    except ResponseError as error:
        if "BUSYGROUP" not in str(error):
            raise


class RedisStreamTransport:
    """Reads the streams of one subscription as one named consumer of ``group``."""

    redelivers = False

    def __init__(
        self,
        *,
        redis: Redis,
        group: str,
        consumer: str,
        dlq: str,
        settings: BusSettings,
        on_connection: Callable[[bool], None],
    ) -> None:
        self.redis = redis
        self.group = group
        self.consumer = consumer
        self.dlq = dlq
        self.settings = settings
        self.start_id = "$"
        self.streams: set[str] = set()
        self.streams_changed = asyncio.Event()
        self.reclaimed = 0
        self._on_connection = on_connection
        self._created: set[str] = set()
        self._last_claim = 0.0
        self._claiming: list[str] = []  # streams left in this reclaim round, with a cursor
        self._claim_cursor = "0-0"
        self._pending_acks: dict[str, list[bytes]] = {}
        self._claim_interval_s = max(settings.claim_idle_s / 2, 0.05)
        self._backoff = Backoff(settings.reconnect_max_backoff_s)

    def add_streams(self, streams: set[str]) -> None:
        new = streams - self.streams
        if new:
            self.streams |= new
            self.streams_changed.set()

    async def create_groups(self) -> None:
        for stream in sorted(self.streams - self._created):
            await create_group(self.redis, stream, self.group, self.start_id)
            self._created.add(stream)

    # -- the transport -------------------------------------------------------------------------

    async def fetch(self) -> list[Delivery[Receipt]]:
        if self.streams - self._created:
            await self.create_groups()
        if not self._created:
            self.streams_changed.clear()
            await self._wait_for_streams()
            return []
        if not self._claiming and time.monotonic() - self._last_claim >= self._claim_interval_s:
            self._claiming = sorted(self._created)
            self._claim_cursor = "0-0"
        while self._claiming:
            reclaimed = await self._reclaim_page()
            if reclaimed:
                return reclaimed
        response = await self._ack_and_read()
        self._backoff.reset()
        self._on_connection(True)
        batch: list[Delivery[Receipt]] = []
        for stream_name, entries in response or ():
            stream = _text(stream_name)
            for entry_id, fields in entries:
                event = self._decode(stream, entry_id, fields)
                if event is not None:
                    batch.append((event, 1, (stream, entry_id)))
        return batch

    async def settle(
        self,
        acks: list[Delivery[Receipt]],
        naks: list[tuple[Delivery[Receipt], float]],
        letters: list[tuple[Delivery[Receipt], DeadLetter]],
    ) -> None:
        if naks:
            raise AssertionError("Redis Streams cannot NAK; the engine retries in place")
        if not letters:
            pending = self._pending_acks
            for _event, _deliveries, (stream, entry_id) in acks:
                ids = pending.get(stream)
                if ids is None:
                    pending[stream] = [entry_id]
                else:
                    ids.append(entry_id)
            return
        by_stream: dict[str, list[bytes]] = {}
        for _event, _deliveries, (stream, entry_id) in acks:
            by_stream.setdefault(stream, []).append(entry_id)
        async with self.redis.pipeline(transaction=True) as pipe:
            for (_event, _deliveries, (stream, entry_id)), letter in letters:
                by_stream.setdefault(stream, []).append(entry_id)
                pipe.xadd(
                    self.dlq,
                    {LETTER_FIELD: encode_rpc(letter)},
                    maxlen=self.settings.stream_maxlen,
                    approximate=True,
                )
            for stream, ids in by_stream.items():
                pipe.xack(stream, self.group, *ids)
            await pipe.execute()

    async def release(self, deliveries: Sequence[Delivery[Receipt]]) -> None:
        raise AssertionError("Redis Streams finishes its batches")  # redelivers is False

    def wake(self) -> None:
        self.streams_changed.set()

    async def recover(self, error: Exception) -> bool:
        if isinstance(error, CONNECTION_ERRORS):
            self._on_connection(False)
            log.warning("consumer %s lost Redis: %s; retrying", self.consumer, error)
            await self._backoff.wait()
            return True
        if isinstance(error, ResponseError) and "NOGROUP" in str(error):
            log.warning("group %s vanished (server restarted empty?); recreating", self.group)
            self._created.clear()
            self._claiming = []
            self.start_id = "0"
            return True
        return False

    async def close(self) -> None:
        """Send the acknowledgements still queued (XACK is idempotent: resending is harmless)."""
        try:
            for stream, ids in self._pending_acks.items():
                await self.redis.xack(stream, self.group, *ids)
            self._pending_acks = {}
        except CONNECTION_ERRORS as error:
            log.warning(
                "consumer %s could not acknowledge its last batch: %s", self.consumer, error
            )

    # -- Redis ---------------------------------------------------------------------------------

    async def _ack_and_read(self) -> Any:
        """Send the last batch's XACKs and the next XREADGROUP in one round trip.

        Acknowledgements stay queued until that round trip succeeds; ``close``
        flushes the rest.
        """
        streams = dict.fromkeys(sorted(self._created), ">")
        block_ms = max(int(self.settings.poll_timeout_s * 1000), 1)
        count = self.settings.read_batch
        if not self._pending_acks:
            return await self.redis.xreadgroup(
                self.group, self.consumer, streams, count=count, block=block_ms
            )
        async with self.redis.pipeline(transaction=False) as pipe:
            for stream, ids in self._pending_acks.items():
                pipe.xack(stream, self.group, *ids)
            pipe.xreadgroup(self.group, self.consumer, streams, count=count, block=block_ms)
            results = await pipe.execute()
        self._pending_acks = {}
        return results[-1]

    async def _wait_for_streams(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.streams_changed.wait(), self.settings.poll_timeout_s)

    def _decode(
        self, stream: str, entry_id: bytes, fields: dict[bytes, bytes] | None
    ) -> Event | None:
        """Return the entry's event, or queue its XACK and return None when it has none."""
        data = fields.get(EVENT_FIELD) if fields else None
        event: Event | None = None
        if data is None:
            log.warning("%s %s was trimmed before group %s read it", stream, entry_id, self.group)
        else:
            try:
                event = decode_event(data)
            except msgspec.DecodeError as error:
                log.error(
                    "%s %s is not an event (%s); acknowledged and skipped", stream, entry_id, error
                )
        if event is None:
            self._pending_acks.setdefault(stream, []).append(entry_id)
        return event

    async def _reclaim_page(self) -> list[Delivery[Receipt]]:
        """Take over one page of entries idle longer than ``claim_idle_s`` (their consumer died)."""
        stream = self._claiming[0]
        reply: list[Any] = await self.redis.xautoclaim(
            stream,
            self.group,
            self.consumer,
            int(self.settings.claim_idle_s * 1000),
            start_id=self._claim_cursor,
            count=self.settings.read_batch,
        )
        self._claim_cursor, entries = _text(reply[0]), reply[1]
        if self._claim_cursor == "0-0":
            self._claiming.pop(0)
            if not self._claiming:
                self._last_claim = time.monotonic()
        if not entries:
            return []
        self.reclaimed += len(entries)
        log.info("consumer %s reclaimed %d entries of %s", self.consumer, len(entries), stream)
        counts = await self._delivery_counts(stream, entries)
        batch: list[Delivery[Receipt]] = []
        for entry_id, fields in entries:
            event = self._decode(stream, entry_id, fields)
            if event is not None:
                batch.append((event, counts.get(entry_id, 1), (stream, entry_id)))
        return batch

    async def _delivery_counts(
        self, stream: str, entries: list[tuple[bytes, Any]]
    ) -> dict[bytes, int]:
        pending = await self.redis.xpending_range(
            stream,
            self.group,
            min=entries[0][0],
            max=entries[-1][0],
            count=len(entries),
            consumername=self.consumer,
        )
        return {item["message_id"]: int(item["times_delivered"]) for item in pending}


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
