"""The consuming side of ``bench.bus``, run as its own process (as a service would be).

``serve(kind, url, namespace, counts, connection)`` subscribes a throughput group
and a latency group, serves the ``bench.echo`` RPC, says ``ready``, then sends
back ``("throughput", wall time of the last event)`` and ``("latency", [ns...])``
as each phase completes, and closes when told ``stop``.
``raw_redis(url, stream, count, connection)`` is the plain redis-py
XREADGROUP/XACK loop used as the ceiling.
"""

from __future__ import annotations

import asyncio
import time
from multiprocessing.connection import Connection
from typing import Any

from tradestack.bus.factory import BusKind, build_bus_for
from tradestack.bus.port import EventBus
from tradestack.config.settings import BusSettings
from tradestack.domain.events import Event

THROUGHPUT_TYPE = "bench.throughput"
LATENCY_TYPE = "bench.latency"


async def echo(params: dict[str, Any]) -> dict[str, Any]:
    return params


def subscribe_phases(
    bus: EventBus, counts: tuple[int, int], report: Any
) -> tuple[asyncio.Event, asyncio.Event]:
    """Subscribe the two measured groups; ``report(phase, value)`` gets each result."""
    throughput_done, latency_done = asyncio.Event(), asyncio.Event()
    seen = {"throughput": 0}
    latencies: list[int] = []

    async def on_throughput(_event: Event) -> None:
        seen["throughput"] += 1
        if seen["throughput"] == counts[0]:
            report("throughput", time.time())
            throughput_done.set()

    async def on_latency(event: Event) -> None:
        latencies.append(time.time_ns() - event.payload["t_ns"])
        if len(latencies) == counts[1]:
            report("latency", latencies)
            latency_done.set()

    bus.subscribe(THROUGHPUT_TYPE, on_throughput, group="bench-throughput")
    bus.subscribe(LATENCY_TYPE, on_latency, group="bench-latency")
    bus.serve("bench", "echo", echo)
    return throughput_done, latency_done


def serve(
    kind: BusKind, url: str, namespace: str, counts: tuple[int, int], connection: Connection
) -> None:
    asyncio.run(_serve(kind, url, namespace, counts, connection))


async def _serve(
    kind: BusKind, url: str, namespace: str, counts: tuple[int, int], connection: Connection
) -> None:
    bus = build_bus_for(kind, url, BusSettings(namespace=namespace, poll_timeout_s=0.5))
    subscribe_phases(bus, counts, lambda phase, value: connection.send((phase, value)))
    await bus.start()
    connection.send(("ready", None))
    await asyncio.to_thread(connection.recv)  # "stop"
    await bus.close()


def raw_redis(url: str, stream: str, count: int, connection: Connection) -> None:
    asyncio.run(_raw_redis(url, stream, count, connection))


async def _raw_redis(url: str, stream: str, count: int, connection: Connection) -> None:
    import redis.asyncio as redis

    client = redis.Redis.from_url(url)
    await client.xgroup_create(stream, "raw", id="$", mkstream=True)
    connection.send(("ready", None))
    seen = 0
    while seen < count:
        reply = await client.xreadgroup("raw", "c1", {stream: ">"}, count=1_000, block=1_000)
        for _stream, entries in reply or ():
            seen += len(entries)
            await client.xack(stream, "raw", *(entry_id for entry_id, _fields in entries))
    connection.send(("throughput", time.time()))
    await client.aclose()
