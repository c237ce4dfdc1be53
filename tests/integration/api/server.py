"""Run the real app on uvicorn in the test's event loop, on a free loopback port."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI

from tradestack.api.app import build_api
from tradestack.config.loader import load_settings
from tradestack.kernel import Kernel


@dataclass
class LiveServer:
    kernel: Kernel
    port: int
    app: FastAPI

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.asynccontextmanager
async def live_server(
    home: Path, *, feed: bool = False, **settings: Any
) -> AsyncIterator[LiveServer]:
    """Start a prepared kernel (its replay feed only when ``feed``) behind a real server."""
    settings.setdefault(
        "run", {"history_bars": 50, "timeframe": "1m", "replay": "fast", "replay_interval_s": 0.05}
    )
    kernel = Kernel.build(load_settings(home=home, **settings))
    await kernel.prepare()

    async def on_start(k: Kernel) -> None:
        await k.audit_start()
        await k.traders.start()
        await k.bus.start()
        if feed:
            await k.feed.start()

    port = free_port()
    app = build_api(kernel, on_start=on_start, on_stop=lambda k: k.stop())
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.01)
        yield LiveServer(kernel, port, app)
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 15)
