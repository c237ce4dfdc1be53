"""The gateway under test for ``bench.api``: the real app on uvicorn, plus a bench-only publisher.

It runs the all-in-one kernel (SQLite, in-memory bus, the default trader)
without the replay feed, so the benchmark decides when bars are published:
``POST /bench/publish?count=N&rate=R`` publishes N ``market.bar`` events on
the bus, R per second (0: as fast as the gateway delivers them without
dropping: the publisher waits while any reading client's queue is over half
full). ``GET /bench/stats`` reports the stream hub's counters.

Run by ``bench.api``; alone: ``python -m bench.api_gateway --home DIR --port N``.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI

from tradestack.api.app import build_api
from tradestack.api.stream.hub import StreamHub
from tradestack.config.loader import load_settings
from tradestack.domain.market import Bar
from tradestack.kernel import Kernel
from tradestack.marketdata.replay import bar_event


async def publish(kernel: Kernel, hub: StreamHub, count: int, rate: float) -> dict[str, Any]:
    """Publish ``count`` bars of BTC/USDT; each event's ``ts`` is its publish time."""
    start = datetime(2030, 1, 1, tzinfo=UTC)
    began = time.perf_counter()
    high_water = hub.queue_size // 2
    for i in range(count):
        if rate > 0:
            delay = began + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
        else:
            while any(len(c.queue) > high_water for c in hub.clients if not c.dropped):  # noqa: ASYNC110 - polls queues it does not own
                await asyncio.sleep(0.0005)
        price = 30_000.0 + (i % 100)
        bar = Bar("BTC/USDT", "1m", start + timedelta(minutes=i), price, price, price, price, 1.0)
        await kernel.bus.publish(bar_event(bar))
        if i % 20 == 19:
            await asyncio.sleep(0)  # let the fan-out and the senders run
    return {"published": count, "seconds": time.perf_counter() - began}


def build(home: Path) -> tuple[FastAPI, Kernel]:
    settings = load_settings(
        home=home, run={"history_bars": 2_000, "replay": "fast", "replay_interval_s": 3600}
    )
    kernel = Kernel.build(settings)

    async def on_start(k: Kernel) -> None:
        await k.prepare()
        await k.audit_start()
        await k.traders.start()
        await k.bus.start()

    app = build_api(kernel, on_start=on_start, on_stop=lambda k: k.stop())
    hub: StreamHub = app.state.hub
    tasks: set[asyncio.Task[Any]] = set()

    @app.post("/bench/publish", include_in_schema=False)
    async def start_publishing(count: int, rate: float = 0) -> dict[str, int]:
        task = asyncio.create_task(publish(kernel, hub, count, rate))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        return {"started": count}

    @app.get("/bench/stats", include_in_schema=False)
    async def stats() -> dict[str, Any]:
        return {**hub.stats(), "publishing": len(tasks)}

    return app, kernel


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    app, _kernel = build(args.home)
    uvicorn.run(
        app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False, lifespan="on"
    )


if __name__ == "__main__":
    main()
