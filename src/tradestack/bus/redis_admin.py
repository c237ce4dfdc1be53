"""What ``migrate bus`` needs from Redis: group backlogs, group set-up, marking groups done.

A group's backlog on a stream is its pending entries plus every entry after
its last-delivered id; both are read with XPENDING and XRANGE, never by
consuming, so looking changes nothing. Marking done acknowledges the pending
entries seen and moves the group to the last entry seen (XGROUP SETID).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import msgspec
from redis.exceptions import RedisError

from tradestack.bus.codec import decode_event
from tradestack.bus.delivery import ANONYMOUS_PREFIX, matches
from tradestack.bus.migration import Backlog, GroupBacklog
from tradestack.bus.redis_consumer import EVENT_FIELD, create_group
from tradestack.bus.redis_streams import RedisKeys, connect
from tradestack.domain.events import Event
from tradestack.errors import BusUnavailableError

READ_CHUNK = 1_000


def _id_key(entry_id: bytes | str) -> tuple[int, int]:
    text = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
    ms, _, seq = text.partition("-")
    return int(ms), int(seq or 0)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


class RedisBusAdmin:
    """Inspects and adjusts the streams and groups of one namespace on one Redis."""

    def __init__(self, url: str, namespace: str) -> None:
        self.description = f"redis {url} (namespace {namespace})"
        self.keys = RedisKeys(namespace)
        self._redis = connect(url)
        self._seen: dict[tuple[str, str], tuple[list[bytes], bytes]] = {}

    async def open(self) -> None:
        try:
            await self._redis.ping()
        except RedisError as error:
            raise BusUnavailableError(f"{self.description} is unreachable: {error}") from None

    async def close(self) -> None:
        await self._redis.aclose()

    async def position(self) -> str:
        marks = []
        for stream in await self._streams():
            info = await self._redis.xinfo_stream(stream)
            marks.append(f"{stream}={_text(info['last-generated-id'])}/{info['length']}")
        return ";".join(marks)

    async def backlog(self) -> Backlog:
        patterns = {
            _text(k): _text(v) for k, v in (await self._redis.hgetall(self.keys.groups)).items()
        }
        ids: dict[str, set[str]] = {}
        lost: dict[str, int] = {}
        events: dict[tuple[int, int, str], Event] = {}
        self._seen = {}
        for stream in await self._streams():
            event_type = self.keys.event_type(stream)
            last_id = _text((await self._redis.xinfo_stream(stream))["last-generated-id"])
            for info in await self._redis.xinfo_groups(stream):
                group = _text(info["name"])
                if group.startswith(ANONYMOUS_PREFIX):
                    continue
                patterns.setdefault(group, event_type)
                pending = await self._pending_ids(stream, group, int(info["pending"]))
                found = await self._unconsumed(
                    stream, pending, _text(info["last-delivered-id"]), events
                )
                ids.setdefault(group, set()).update(found.values())
                missing = {_id_key(p) for p in pending} - found.keys()
                lost[group] = lost.get(group, 0) + len(missing)
                self._seen[(stream, group)] = (pending, last_id.encode())
        groups = [
            GroupBacklog(group, patterns[group], frozenset(ids[group]), lost.get(group, 0))
            for group in sorted(ids)
        ]
        unique: dict[str, Event] = {}
        for key in sorted(events):
            unique.setdefault(events[key].event_id, events[key])
        return Backlog(groups, list(unique.values()))

    async def prepare(self, groups: Iterable[tuple[str, str]], event_types: set[str]) -> None:
        seconds, micros = await self._redis.time()
        start_id = f"{seconds * 1000 + micros // 1000 - 1}-0"
        wanted = dict(groups)
        if wanted:
            await self._redis.hset(self.keys.groups, mapping=wanted)  # type: ignore[misc]
        if event_types:
            await self._redis.sadd(self.keys.types, *event_types)
        for group, pattern in wanted.items():
            for event_type in sorted(event_types):
                if matches(pattern, event_type):
                    await create_group(self._redis, self.keys.stream(event_type), group, start_id)

    async def mark_consumed(self) -> None:
        for (stream, group), (pending, last_id) in self._seen.items():
            for start in range(0, len(pending), READ_CHUNK):
                await self._redis.xack(stream, group, *pending[start : start + READ_CHUNK])
            await self._redis.xgroup_setid(stream, group, last_id)

    async def _streams(self) -> list[str]:
        types = {_text(t) for t in await self._redis.smembers(self.keys.types)}
        streams = {self.keys.stream(t) for t in types}
        async for key in self._redis.scan_iter(match=self.keys.events_prefix + "*", count=1000):
            streams.add(_text(key))
        present = []
        for stream in sorted(streams):
            if await self._redis.type(stream) == b"stream":
                present.append(stream)
        return present

    async def _pending_ids(self, stream: str, group: str, count: int) -> list[bytes]:
        if count == 0:
            return []
        ids: list[bytes] = []
        start: str | bytes = "-"
        while len(ids) < count:
            page = await self._redis.xpending_range(stream, group, min=start, max="+", count=10_000)
            if not page:
                break
            ids.extend(item["message_id"] for item in page)
            start = "(" + _text(page[-1]["message_id"])
        return ids

    async def _unconsumed(
        self,
        stream: str,
        pending: list[bytes],
        last_delivered: str,
        events: dict[tuple[int, int, str], Event],
    ) -> dict[tuple[int, int], str]:
        """Return entry id -> event id of what the group has not acknowledged."""
        pending_keys = {_id_key(p) for p in pending}
        floor = _id_key(last_delivered)
        start = min([*pending_keys, floor])
        cursor = f"{start[0]}-{start[1]}"
        found: dict[tuple[int, int], str] = {}
        while True:
            page: list[Any] = await self._redis.xrange(
                stream, min=cursor, max="+", count=READ_CHUNK
            )
            for entry_id, fields in page:
                key = _id_key(entry_id)
                if key not in pending_keys and key <= floor:
                    continue
                event = self._decode(fields)
                if event is not None:
                    events[(*key, stream)] = event
                    found[key] = event.event_id
            if len(page) < READ_CHUNK:
                return found
            cursor = "(" + _text(page[-1][0])

    @staticmethod
    def _decode(fields: dict[bytes, bytes]) -> Event | None:
        try:
            return decode_event(fields[EVENT_FIELD])
        except (KeyError, msgspec.DecodeError):
            return None
