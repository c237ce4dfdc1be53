"""One Redis Streams consumer: XREADGROUP loop, ack after success, retries, reclaim, dead letters.

A ``RedisGroupConsumer`` serves one ``subscribe`` call: it reads the streams of
every event type its pattern matches with XREADGROUP (one consumer name per
handler, competing with the group's other consumers), calls the handler for
each entry in order, then acknowledges the batch and writes dead letters in one
MULTI. Every ``claim_idle_s / 2`` it XAUTOCLAIMs entries a dead consumer left
pending; their delivery count decides how many attempts remain.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

import msgspec
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from tradestack.bus.codec import decode_event
from tradestack.bus.delivery import Backoff, RetryPolicy, encode_rpc, handle_with_retries
from tradestack.bus.port import DeadLetter, EventHandler
from tradestack.config.settings import BusSettings
from tradestack.domain.events import Event

log = logging.getLogger(__name__)

CONNECTION_ERRORS = (RedisConnectionError, RedisTimeoutError, OSError)
EVENT_FIELD = b"e"
LETTER_FIELD = b"d"


async def create_group(redis: Redis, stream: str, group: str, start_id: str) -> None:
    """Create ``group`` on ``stream`` (and the stream) unless it exists; keep its position if so."""
    try:
        await redis.xgroup_create(stream, group, id=start_id, mkstream=True)
    except ResponseError as error:
        if "BUSYGROUP" not in str(error):
            raise


class RedisGroupConsumer:
    """Reads the streams of one subscription as one named consumer of ``group``."""

    def __init__(
        self,
        *,
        redis: Redis,
        group: str,
        pattern: str,
        handler: EventHandler,
        consumer: str,
        dlq: str,
        settings: BusSettings,
        retry: RetryPolicy,
    ) -> None:
        self.redis = redis
        self.group = group
        self.pattern = pattern
        self.handler = handler
        self.consumer = consumer
        self.dlq = dlq
        self.settings = settings
        self.retry = retry
        self.start_id = "$"
        self.streams: set[str] = set()
        self.streams_changed = asyncio.Event()
        self.handled = 0
        self.retried = 0
        self.dead_lettered = 0
        self.reclaimed = 0
        self._created: set[str] = set()
        self._stopping = False
        self._reading = False
        self._last_claim = 0.0
        self._pending_acks: dict[str, list[bytes]] = {}
        self._claim_interval_s = max(settings.claim_idle_s / 2, 0.05)
        self.task: asyncio.Task[None] | None = None
        self._on_connection: Callable[[bool], None] = lambda _connected: None

    def add_streams(self, streams: set[str]) -> None:
        new = streams - self.streams
        if new:
            self.streams |= new
            self.streams_changed.set()

    async def create_groups(self) -> None:
        for stream in sorted(self.streams - self._created):
            await create_group(self.redis, stream, self.group, self.start_id)
            self._created.add(stream)

    def start(self, on_connection: Callable[[bool], None]) -> None:
        self._on_connection = on_connection
        self.task = asyncio.create_task(self._run(), name=f"redis-consumer:{self.consumer}")

    async def stop(self) -> None:
        """Stop reading; a batch being handled is finished and acknowledged first."""
        self._stopping = True
        self.streams_changed.set()
        if self.task is None:
            return
        if self._reading:
            self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)
        await self._flush_acks()

    async def _run(self) -> None:
        backoff = Backoff(self.settings.reconnect_max_backoff_s)
        while not self._stopping:
            try:
                await self._step()
                backoff.reset()
            except CONNECTION_ERRORS as error:
                self._on_connection(False)
                log.warning("consumer %s lost Redis: %s; retrying", self.consumer, error)
                await backoff.wait()
            except ResponseError as error:
                if "NOGROUP" not in str(error):
                    raise
                log.warning("group %s vanished (server restarted empty?); recreating", self.group)
                self._created.clear()
                self.start_id = "0"

    async def _step(self) -> None:
        if self.streams - self._created:
            await self.create_groups()
        if not self._created:
            self.streams_changed.clear()
            await self._wait_for_streams()
            return
        now = time.monotonic()
        if now - self._last_claim >= self._claim_interval_s:
            self._last_claim = now
            await self._reclaim()
        self._reading = True
        try:
            response = await self._ack_and_read()
        finally:
            self._reading = False
        self._on_connection(True)
        for stream, entries in response or ():
            await self._handle_entries(_text(stream), entries, None)

    async def _ack_and_read(self) -> Any:
        """Send the last batch's XACKs and the next XREADGROUP in one round trip.

        Acknowledgements stay queued until that round trip succeeds (XACK is
        idempotent, so sending one twice is harmless); ``stop`` flushes the rest.
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

    async def _flush_acks(self) -> None:
        try:
            for stream, ids in self._pending_acks.items():
                await self.redis.xack(stream, self.group, *ids)
            self._pending_acks = {}
        except CONNECTION_ERRORS as error:
            log.warning(
                "consumer %s could not acknowledge its last batch: %s", self.consumer, error
            )

    async def _wait_for_streams(self) -> None:
        self._reading = True
        try:
            await asyncio.wait_for(self.streams_changed.wait(), self.settings.poll_timeout_s)
        except TimeoutError:
            pass
        finally:
            self._reading = False

    async def _handle_entries(
        self,
        stream: str,
        entries: list[tuple[bytes, dict[bytes, bytes] | None]],
        deliveries: dict[bytes, int] | None,
    ) -> None:
        acks: list[bytes] = []
        letters: list[DeadLetter] = []
        handler = self.handler
        for entry_id, fields in entries:
            acks.append(entry_id)
            event = self._decode(stream, entry_id, fields)
            if event is None:
                continue
            if deliveries is None:
                try:
                    await handler(event)
                    self.handled += 1
                    continue
                except Exception as error:
                    log.warning("group %s handler failed on %s: %s", self.group, entry_id, error)
                    self.retried += 1
                    letter = await handle_with_retries(
                        handler,
                        event,
                        policy=self.retry,
                        group=self.group,
                        delivered_before=1,
                        last_error=error,
                    )
            else:
                letter = await handle_with_retries(
                    handler,
                    event,
                    policy=self.retry,
                    group=self.group,
                    delivered_before=max(deliveries.get(entry_id, 1) - 1, 0),
                )
            if letter is None:
                self.handled += 1
            else:
                letters.append(letter)
        await self._settle(stream, acks, letters)

    def _decode(
        self, stream: str, entry_id: bytes, fields: dict[bytes, bytes] | None
    ) -> Event | None:
        data = fields.get(EVENT_FIELD) if fields else None
        if data is None:
            log.warning("%s %s was trimmed before group %s read it", stream, entry_id, self.group)
            return None
        try:
            return decode_event(data)
        except msgspec.DecodeError as error:
            log.error(
                "%s %s is not an event (%s); acknowledged and skipped", stream, entry_id, error
            )
            return None

    async def _settle(self, stream: str, acks: list[bytes], letters: list[DeadLetter]) -> None:
        if not acks:
            return
        if not letters:
            self._pending_acks.setdefault(stream, []).extend(acks)
            return
        async with self.redis.pipeline(transaction=True) as pipe:
            for letter in letters:
                pipe.xadd(
                    self.dlq,
                    {LETTER_FIELD: encode_rpc(letter)},
                    maxlen=self.settings.stream_maxlen,
                    approximate=True,
                )
            pipe.xack(stream, self.group, *acks)
            await pipe.execute()
        self.dead_lettered += len(letters)

    async def _reclaim(self) -> None:
        """Take over entries idle longer than ``claim_idle_s`` (their consumer died)."""
        idle_ms = int(self.settings.claim_idle_s * 1000)
        for stream in sorted(self._created):
            start = "0-0"
            while True:
                reply: list[Any] = await self.redis.xautoclaim(
                    stream,
                    self.group,
                    self.consumer,
                    idle_ms,
                    start_id=start,
                    count=self.settings.read_batch,
                )
                start, entries = _text(reply[0]), reply[1]
                if entries:
                    self.reclaimed += len(entries)
                    log.info(
                        "consumer %s reclaimed %d entries of %s",
                        self.consumer,
                        len(entries),
                        stream,
                    )
                    counts = await self._delivery_counts(stream, entries)
                    await self._handle_entries(stream, entries, counts)
                if start == "0-0":
                    break

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
