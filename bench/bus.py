"""Event-bus speed per adapter: throughput, publish-to-handler latency, RPC round trip.

For memory, Redis Streams and NATS JetStream, in one run:

- throughput: 1 publisher -> 1 consumer group, events with 256-byte payloads
  published in batches of 1,000 (``publish_many``), timed from the first publish
  to the handler seeing the last event;
- latency: one ``publish`` every 200 µs (5,000 events/s), each stamped with the
  wall clock; the handler records arrival minus stamp (p50 / p99);
- RPC: sequential ``call`` round trips to an echo handler (p50 / p99);
- Redis only: a plain redis-py loop (pipelined XADD, XREADGROUP + XACK) as the ceiling.

With a broker the consumer (and RPC server) runs in its own process, as a
service would; the in-memory bus is in-process by nature. Brokers that do not
answer on their usual local ports are left out with a note.

Run: ``python -m bench.bus [--quick]``.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import socket
import sys
import time
import uuid
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

import msgspec

from bench.bus_peer import LATENCY_TYPE, THROUGHPUT_TYPE, raw_redis, serve, subscribe_phases
from bench.report import LatencyResult, Result, print_latency_table, print_table
from tradestack.bus.factory import BusKind, build_bus_for
from tradestack.bus.port import EventBus
from tradestack.config.settings import BusSettings
from tradestack.domain.events import Event

URLS: dict[BusKind, str] = {"redis": "redis://127.0.0.1:6379/0", "nats": "nats://127.0.0.1:4222"}
BATCH = 1_000
RATE = 5_000
PAYLOAD_BYTES = 256


@dataclass
class Plan:
    throughput_events: dict[BusKind, int]
    latency_s: float
    rpc_calls: int


def payload(**extra: int) -> dict[str, Any]:
    """A payload whose JSON encoding is ``PAYLOAD_BYTES`` long."""
    base: dict[str, Any] = {**extra, "data": ""}
    pad = PAYLOAD_BYTES - len(msgspec.json.encode(base))
    return {**extra, "data": "x" * pad}


def reachable(url: str) -> bool:
    host, port = url.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)
    try:
        with socket.create_connection((host, int(port)), timeout=1):
            return True
    except OSError:
        return False


class Peer:
    """The consuming side: a child process for brokers, the same bus for memory."""

    def __init__(
        self, kind: BusKind, url: str | None, namespace: str, counts: tuple[int, int]
    ) -> None:
        self.kind = kind
        self.counts = counts
        self._results: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        self._connection: Connection | None = None
        self._process: Any = None
        if kind == "memory":
            return
        context = multiprocessing.get_context("spawn")
        self._connection, child = context.Pipe()
        self._process = context.Process(target=serve, args=(kind, url, namespace, counts, child))

    async def start(self, memory_bus: EventBus | None) -> None:
        if memory_bus is not None:
            subscribe_phases(memory_bus, self.counts, self._report_local)
            return
        self._process.start()
        assert await self.next("ready") is None

    def _report_local(self, phase: str, value: Any) -> None:
        self._results.put_nowait((phase, value))

    async def next(self, phase: str, timeout_s: float = 120) -> Any:
        if self._connection is None:
            got, value = await asyncio.wait_for(self._results.get(), timeout_s)
        else:
            connection = self._connection
            if not await asyncio.to_thread(connection.poll, timeout_s):
                raise TimeoutError(f"no {phase} result from the consumer process")
            got, value = connection.recv()
        assert got == phase, f"expected {phase}, got {got}"
        return value

    async def stop(self) -> None:
        if self._connection is not None:
            self._connection.send(("stop", None))
            await asyncio.to_thread(self._process.join, 30)


async def throughput(bus: EventBus, peer: Peer, count: int) -> tuple[float, float]:
    events = [Event.create(THROUGHPUT_TYPE, payload()) for _ in range(count)]
    started = time.time()
    for start in range(0, count, BATCH):
        await bus.publish_many(events[start : start + BATCH])
    published = time.time() - started
    last = await peer.next("throughput")
    return last - started, published


async def latency(bus: EventBus, peer: Peer, count: int) -> tuple[list[int], float]:
    tasks: set[asyncio.Task[None]] = set()
    started = time.perf_counter()
    for i in range(count):
        delay = started + i / RATE - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        event = Event.create(LATENCY_TYPE, payload(t_ns=time.time_ns()))
        task = asyncio.create_task(bus.publish(event))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    await asyncio.gather(*tasks)
    achieved = count / (time.perf_counter() - started)
    return await peer.next("latency"), achieved


async def rpc(bus: EventBus, calls: int) -> list[int]:
    samples = []
    for i in range(calls + 100):
        started = time.perf_counter_ns()
        await bus.call("bench", "echo", {"i": i}, timeout_s=5)
        if i >= 100:  # warm-up
            samples.append(time.perf_counter_ns() - started)
    return samples


async def run_adapter(kind: BusKind, plan: Plan) -> tuple[Result, LatencyResult, LatencyResult]:
    url = URLS.get(kind)
    namespace = f"bench{uuid.uuid4().hex[:8]}"
    count = plan.throughput_events[kind]
    latency_count = int(plan.latency_s * RATE)
    bus = build_bus_for(kind, url, BusSettings(namespace=namespace), queue_size=10_000)
    peer = Peer(kind, url, namespace, (count, latency_count))
    try:
        await peer.start(bus if kind == "memory" else None)
        await bus.start()
        seconds, published = await throughput(bus, peer, count)
        samples, achieved = await latency(bus, peer, latency_count)
        calls = await rpc(bus, plan.rpc_calls)
    finally:
        await bus.close()
        await peer.stop()
        await cleanup(kind, url, namespace)
    note = f"publish alone {count / published:,.0f}/s"
    return (
        Result(kind, count, seconds, note),
        LatencyResult(kind, RATE, achieved, samples),
        LatencyResult(kind, 0, 0, calls),
    )


async def raw_redis_ceiling(count: int) -> Result:
    import redis.asyncio as redis

    url = URLS["redis"]
    stream = f"bench{uuid.uuid4().hex[:8]}:raw"
    context = multiprocessing.get_context("spawn")
    connection, child = context.Pipe()
    process = context.Process(target=raw_redis, args=(url, stream, count, child))
    process.start()
    client = redis.Redis.from_url(url)
    try:
        assert await asyncio.to_thread(connection.poll, 30)
        connection.recv()
        data = [msgspec.json.encode(Event.create(THROUGHPUT_TYPE, payload())) for _ in range(count)]
        started = time.time()
        for start in range(0, count, BATCH):
            async with client.pipeline(transaction=False) as pipe:
                for item in data[start : start + BATCH]:
                    pipe.xadd(stream, {b"e": item})
                await pipe.execute()
        published = time.time() - started
        assert await asyncio.to_thread(connection.poll, 120)
        _phase, last = connection.recv()
    finally:
        await asyncio.to_thread(process.join, 30)
        await client.delete(stream)
        await client.aclose()
    return Result("redis raw", count, last - started, f"publish alone {count / published:,.0f}/s")


async def cleanup(kind: BusKind, url: str | None, namespace: str) -> None:
    if kind == "redis" and url:
        import redis.asyncio as redis

        client = redis.Redis.from_url(url)
        keys = [key async for key in client.scan_iter(match=f"{namespace}:*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()
    elif kind == "nats" and url:
        import nats

        client = await nats.connect(url)
        js = client.jetstream()
        for stream in (f"{namespace.upper()}_EVENTS", f"{namespace.upper()}_DLQ"):
            await js.delete_stream(stream)
        await client.close()


async def run(plan: Plan) -> None:
    throughputs: list[Result] = []
    latencies: list[LatencyResult] = []
    rpcs: list[LatencyResult] = []
    for kind in ("memory", "redis", "nats"):
        if kind != "memory" and not reachable(URLS[kind]):
            print(f"{kind}: no server at {URLS[kind]}; left out")
            continue
        result, lat, calls = await run_adapter(kind, plan)
        throughputs.append(result)
        latencies.append(lat)
        rpcs.append(calls)
        if kind == "redis":
            throughputs.append(await raw_redis_ceiling(plan.throughput_events["redis"]))
    reference = "redis raw" if any(r.name == "redis raw" for r in throughputs) else "memory"
    print_table(
        f"event bus throughput: 1 publisher -> 1 group, {PAYLOAD_BYTES}-byte payloads, "
        f"batches of {BATCH}",
        "events",
        throughputs,
        reference,
    )
    print_latency_table(f"publish-to-handler latency at {RATE:,} events/s", latencies)
    print_latency_table(f"RPC round trip ({plan.rpc_calls:,} sequential calls)", rpcs)


def main(*, quick: bool = False) -> None:
    if quick:
        plan = Plan({"memory": 200_000, "redis": 50_000, "nats": 50_000}, 2.0, 1_000)
    else:
        plan = Plan({"memory": 1_000_000, "redis": 200_000, "nats": 200_000}, 4.0, 3_000)
    asyncio.run(run(plan))


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
