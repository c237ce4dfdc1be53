"""The event-bus conformance harness: one fixture, every adapter, an isolated namespace per test."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.conftest import require_service
from tradestack.bus.factory import BusKind, build_bus_for
from tradestack.bus.port import EventBus
from tradestack.config.settings import BusSettings

REDIS_URL = "redis://127.0.0.1:6379/0"
NATS_URL = "nats://127.0.0.1:4222"
URLS: dict[str, str | None] = {"memory": None, "redis": REDIS_URL, "nats": NATS_URL}

ADAPTERS = [
    pytest.param("memory", id="memory"),
    pytest.param("redis", id="redis", marks=pytest.mark.services),
    pytest.param("nats", id="nats", marks=pytest.mark.services),
]

# Fast enough for tests: reclaim after 1 s, short polls, quick retries.
TEST_OPTIONS = {
    "claim_idle_s": 1.0,
    "max_deliver": 3,
    "retry_backoff_s": 0.01,
    "poll_timeout_s": 0.2,
    "discover_interval_s": 0.2,
    "publish_timeout_s": 30.0,
    "reconnect_max_backoff_s": 0.25,
}


def bus_options(namespace: str, **overrides: Any) -> BusSettings:
    return BusSettings(namespace=namespace, **{**TEST_OPTIONS, **overrides})


def require_broker(kind: str, url: str | None) -> None:
    if kind == "memory" or url is None:
        return
    host_port = url.split("://", 1)[1].split("/", 1)[0]
    host, port = host_port.rsplit(":", 1)
    require_service("Redis" if kind == "redis" else "NATS", host, int(port))


async def delete_namespace(kind: str, url: str | None, namespace: str) -> None:
    """Remove every key, stream and consumer a test left under ``namespace``."""
    if kind == "redis" and url:
        import redis.asyncio as redis

        client = redis.Redis.from_url(url)
        try:
            keys = [key async for key in client.scan_iter(match=f"{namespace}:*", count=1000)]
            if keys:
                await client.delete(*keys)
        finally:
            await client.aclose()
    elif kind == "nats" and url:
        import nats
        from nats.js.errors import NotFoundError

        from tradestack.bus.nats_jetstream import NatsNames

        names = NatsNames(namespace)
        client = await nats.connect(url, max_reconnect_attempts=2)
        try:
            js = client.jetstream()
            for stream in (names.events_stream, names.dlq_stream):
                with contextlib.suppress(NotFoundError):
                    await js.delete_stream(stream)
        finally:
            await client.close()


@dataclass
class BusHarness:
    """Makes buses of one adapter, all in one namespace, and closes and cleans up after."""

    kind: BusKind
    url: str | None
    namespace: str
    options: BusSettings
    made: list[EventBus] = field(default_factory=list)

    def make(self, **overrides: Any) -> EventBus:
        options = self.options.model_copy(update=overrides) if overrides else self.options
        bus = build_bus_for(self.kind, self.url, options)
        self.made.append(bus)
        return bus

    def pair(self) -> tuple[EventBus, EventBus]:
        """Two connections to one bus; the in-process bus has only one, so both are it."""
        first = self.make()
        return (first, first) if self.kind == "memory" else (first, self.make())

    async def close_all(self) -> None:
        for bus in self.made:
            await asyncio.wait_for(bus.close(), 30)


@pytest.fixture(params=ADAPTERS)
async def harness(request: pytest.FixtureRequest) -> AsyncIterator[BusHarness]:
    kind: BusKind = request.param
    url = URLS[kind]
    require_broker(kind, url)
    namespace = f"t{uuid.uuid4().hex[:10]}"
    bus_harness = BusHarness(kind, url, namespace, bus_options(namespace))
    try:
        yield bus_harness
    finally:
        await bus_harness.close_all()
        await delete_namespace(kind, url, namespace)


async def wait_until(
    condition: Callable[[], bool], timeout_s: float = 10.0, interval_s: float = 0.01
) -> None:
    """Poll ``condition`` until true; fail the test with a timeout otherwise."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout_s} s")
        await asyncio.sleep(interval_s)
