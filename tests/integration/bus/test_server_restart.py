"""Proof: the broker crashes and restarts mid-stream; nothing acknowledged is lost.

The server is a private instance (``servers.PrivateServer``) so the test can
SIGKILL it without touching the machine's shared Redis and NATS.
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest

from tests.integration.bus.conftest import bus_options, wait_until
from tests.integration.bus.servers import PrivateServer
from tradestack.bus.factory import BusKind, build_bus_for
from tradestack.bus.port import EventBus
from tradestack.domain.events import Event

BATCHES = 40
BATCH_SIZE = 250


@pytest.mark.slow
@pytest.mark.parametrize(
    "kind",
    [
        pytest.param("memory", id="memory"),
        pytest.param("redis", id="redis", marks=pytest.mark.services),
        pytest.param("nats", id="nats", marks=pytest.mark.services),
    ],
)
async def test_publishers_and_consumers_survive_a_server_restart(
    kind: BusKind, tmp_path: Path
) -> None:
    if kind == "memory":
        pytest.skip("in-process bus has no separate server to restart")
    server = PrivateServer(kind, tmp_path / kind)
    await server.start()
    buses: list[EventBus] = []
    try:
        options = bus_options(f"r{uuid.uuid4().hex[:8]}")
        publisher = build_bus_for(kind, server.url, options)
        consumer = build_bus_for(kind, server.url, options)
        buses += [publisher, consumer]
        handled: set[str] = set()

        async def record(event: Event) -> None:
            handled.add(event.event_id)

        consumer.subscribe("tick", record, group="survivor")
        await consumer.start()
        await publisher.start()
        acknowledged: list[str] = []

        async def publish() -> None:
            for n in range(BATCHES):
                batch = [Event.create("tick", {"n": n, "i": i}) for i in range(BATCH_SIZE)]
                await publisher.publish_many(batch)  # returns once the broker stored them
                acknowledged.extend(e.event_id for e in batch)
                await asyncio.sleep(0.02)

        publishing = asyncio.create_task(publish())
        await wait_until(lambda: len(handled) >= 2_000, timeout_s=20)
        assert not publishing.done(), "the stream ended before the server was killed"
        await server.kill()
        await asyncio.sleep(0.5)
        await server.start()
        await asyncio.wait_for(publishing, 60)
        await wait_until(lambda: handled >= set(acknowledged), timeout_s=30, interval_s=0.1)
        assert len(acknowledged) == BATCHES * BATCH_SIZE
        after = Event.create("tick", {"after": True})
        await publisher.publish(after)
        await wait_until(lambda: after.event_id in handled, timeout_s=10)
        await asyncio.sleep(max(options.discover_interval_s * 2, 0.5))
        assert consumer.health()["connected"] is True
        assert publisher.health()["connected"] is True
    finally:
        for bus in buses:
            await asyncio.wait_for(bus.close(), 30)
        await server.stop()
