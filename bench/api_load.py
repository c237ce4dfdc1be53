"""Load generators for ``bench.api``, each run as its own process so it never shares a core's
event loop with the gateway. Each prints one JSON line with its measurements.

``http``: open-loop GETs at a fixed rate over keep-alive connections; a request's
latency runs from its scheduled time (so a stalled server is not hidden by a
client that waits politely) to the last byte of the answer.

``ws``: N WebSocket clients subscribed to one symbol; counts frames and samples
delivery latency (receive time minus the event's publish time).
``--never-reading 1`` makes one more client that stops reading after the handshake.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import time

import numpy as np

from bench.ws_client import RawWebSocket, connect


async def _request(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, raw: bytes) -> int:
    writer.write(raw)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    await reader.readexactly(length)
    return status


async def http_load(port: int, path: str, rate: float, seconds: float, connections: int) -> dict:
    raw = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()
    pool: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = asyncio.Queue()
    for _ in range(connections):
        pool.put_nowait(await asyncio.open_connection("127.0.0.1", port))
    for _ in range(min(50, int(rate))):  # warm up: first requests pay for lazy imports and caches
        conn = await pool.get()
        await _request(*conn, raw)
        pool.put_nowait(conn)
    total = int(rate * seconds)
    latencies = np.zeros(total)
    errors = 0
    began = time.perf_counter()

    async def one(i: int, scheduled: float) -> None:
        nonlocal errors
        conn = await pool.get()
        try:
            if await _request(*conn, raw) != 200:
                errors += 1
        finally:
            pool.put_nowait(conn)
        latencies[i] = time.perf_counter() - scheduled

    tasks = []
    for i in range(total):
        scheduled = began + i / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(i, scheduled)))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - began
    p50, p99, worst = np.percentile(latencies, [50, 99, 100]) * 1000
    return {
        "path": path,
        "requests": total,
        "seconds": elapsed,
        "achieved_rps": total / elapsed,
        "errors": errors,
        "p50_ms": p50,
        "p99_ms": p99,
        "max_ms": worst,
    }


async def ws_load(
    port: int, clients: int, never_reading: int, expect: int, timeout_s: float
) -> dict:
    path = "/ws/v1/stream?symbols=BTC/USDT&channels=bars"
    readers: list[RawWebSocket] = []
    for _ in range(clients):
        readers.append(await connect("127.0.0.1", port, path, sample_every=10, keep=0))
    stuck = []
    for _ in range(never_reading):
        client = await connect("127.0.0.1", port, path, keep=0, receive_buffer=4096)
        client.pause()
        stuck.append(client)
    await asyncio.sleep(0.5)  # welcome and ack frames
    baseline = [r.messages for r in readers]
    print("ready", flush=True)
    deadline = time.perf_counter() + timeout_s
    first_at: float | None = None
    while time.perf_counter() < deadline:
        received = sum(r.messages for r in readers) - sum(baseline)
        if first_at is None and received:
            first_at = time.perf_counter()
        if received >= expect * clients:
            break
        await asyncio.sleep(0.005)
    finished = time.perf_counter()
    received = sum(r.messages for r in readers) - sum(baseline)
    latencies = np.array([s for r in readers for s in r.latencies_s] or [0.0])
    p50, p99 = np.percentile(latencies, [50, 99]) * 1000
    for client in [*readers, *stuck]:
        if client.transport is not None:
            client.transport.abort()
    return {
        "clients": clients,
        "received": received,
        "expected": expect * clients,
        "seconds": finished - (first_at or finished),
        "p50_ms": p50,
        "p99_ms": p99,
        "samples": len(latencies),
    }


async def ws_hold(port: int, clients: int, never_reading: int, seconds: float) -> dict:
    """Keep ``clients`` reading (and some never reading) connected for ``seconds``."""
    path = "/ws/v1/stream?symbols=BTC/USDT&channels=bars"
    readers = [await connect("127.0.0.1", port, path, keep=0) for _ in range(clients)]
    stuck = []
    for _ in range(never_reading):
        client = await connect("127.0.0.1", port, path, keep=0, receive_buffer=4096)
        client.pause()
        stuck.append(client)
    print("ready", flush=True)
    await asyncio.sleep(seconds)
    result = {
        "clients": clients,
        "received": sum(r.messages for r in readers),
    }
    for client in [*readers, *stuck]:
        with contextlib.suppress(Exception):
            if client.transport is not None:
                client.transport.abort()
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["http", "ws", "hold"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", default="/api/v1/health")
    parser.add_argument("--rate", type=float, default=500)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--never-reading", type=int, default=0)
    parser.add_argument("--expect", type=int, default=1000)
    args = parser.parse_args()
    try:
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    except ImportError:
        pass
    if args.mode == "http":
        coroutine = http_load(args.port, args.path, args.rate, args.seconds, args.connections)
    elif args.mode == "ws":
        coroutine = ws_load(args.port, args.clients, args.never_reading, args.expect, args.seconds)
    else:
        coroutine = ws_hold(args.port, args.clients, args.never_reading, args.seconds)
    result = asyncio.run(coroutine)
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
