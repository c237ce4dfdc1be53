"""A prepared, running kernel (no replay feed: tests publish bars themselves) and API clients."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from tradestack.api.app import build_api
from tradestack.auth.roles import Role
from tradestack.auth.tokens import create_token
from tradestack.config.loader import load_settings
from tradestack.domain.market import Bar
from tradestack.domain.timeframes import Timeframe
from tradestack.kernel import Kernel
from tradestack.marketdata.replay import bar_event
from tradestack.storage.repositories.bars import insert_bars, recent_bars

# A slow average longer than the history: the default trader never trades on its own here.
QUIET_RUN = {
    "history_bars": 50,
    "timeframe": "1m",
    "strategy_params": {"fast": 200, "slow": 400},
}
LOOPBACK = ("127.0.0.1", 50000)
REMOTE = ("203.0.113.9", 50000)


async def start_quietly(kernel: Kernel) -> None:
    """Start everything but the replay feed."""
    await kernel.audit_start()
    await kernel.traders.start()
    await kernel.bus.start()


@pytest.fixture
def api_settings() -> dict[str, Any]:
    """Override in a module to change settings of the kernel under test."""
    return {}


@pytest.fixture
async def kernel(tmp_path: Path, api_settings: dict[str, Any]) -> AsyncIterator[Kernel]:
    settings = {"run": QUIET_RUN, **api_settings}
    kernel = Kernel.build(load_settings(home=tmp_path, **settings))
    await kernel.prepare()
    await start_quietly(kernel)
    yield kernel
    await kernel.stop()


@pytest.fixture
async def tokens(kernel: Kernel) -> dict[Role, str]:
    made = {}
    for role in Role:
        _info, made[role] = await create_token(kernel.db, name=f"test-{role.label}", role=role)
    return made


def client_for(
    kernel: Kernel, client: tuple[str, int] = LOOPBACK, token: str | None = None
) -> httpx.AsyncClient:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    transport = httpx.ASGITransport(app=build_api(kernel), client=client)
    return httpx.AsyncClient(transport=transport, base_url="http://test", headers=headers)


@pytest.fixture
async def api(kernel: Kernel) -> AsyncIterator[httpx.AsyncClient]:
    """Anonymous, from loopback."""
    async with client_for(kernel) as http:
        yield http


@pytest.fixture
async def as_trader(kernel: Kernel, tokens: dict[Role, str]) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(kernel, REMOTE, tokens[Role.TRADER]) as http:
        yield http


async def publish_next_bar(kernel: Kernel, **prices: float) -> Bar:
    """Store and publish the bar after the newest stored one (prices default to its close)."""
    async with kernel.db.read() as connection:
        last = (await recent_bars(connection, "BTC/USDT", "1m", limit=1))[0]
    close = last.close
    values = {"open": close, "high": close * 1.001, "low": close * 0.999, "close": close}
    values.update(prices)
    bar = Bar(
        "BTC/USDT",
        "1m",
        last.ts + Timeframe.parse("1m").delta,
        volume=100.0,
        **values,  # type: ignore[arg-type]
    )
    async with kernel.db.transaction() as connection:
        await insert_bars(connection, [bar], source="test")
    await kernel.bus.publish(bar_event(bar))
    return bar


async def eventually(check: Callable[[], Awaitable[Any]], timeout_s: float = 5.0) -> Any:
    """Return the first truthy result of ``check``, polling until ``timeout_s``."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        value = await check()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {timeout_s} s")
        await asyncio.sleep(0.02)
