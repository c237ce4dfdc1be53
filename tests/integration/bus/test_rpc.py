"""Conformance: request/reply between services on every adapter."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from tests.integration.bus.conftest import BusHarness
from tradestack.errors import BusTimeoutError, RemoteCallError


async def add(params: dict[str, Any]) -> dict[str, Any]:
    return {"sum": params["a"] + params["b"]}


async def broken(_params: dict[str, Any]) -> dict[str, Any]:
    raise ValueError("bad input")


async def slow(_params: dict[str, Any]) -> dict[str, Any]:
    await asyncio.sleep(1.0)
    return {}


async def test_a_call_gets_the_reply(harness: BusHarness) -> None:
    server, client = harness.pair()
    server.serve("calc", "add", add)
    await server.start()
    await client.start()
    assert await client.call("calc", "add", {"a": 2, "b": 3}) == {"sum": 5}
    replies = await asyncio.gather(
        *(client.call("calc", "add", {"a": i, "b": 1}) for i in range(20))
    )
    assert [r["sum"] for r in replies] == [i + 1 for i in range(20)]


async def test_a_remote_error_comes_back_with_its_message(harness: BusHarness) -> None:
    server, client = harness.pair()
    server.serve("calc", "broken", broken)
    await server.start()
    await client.start()
    with pytest.raises(RemoteCallError, match=r"calc.broken failed: ValueError: bad input"):
        await client.call("calc", "broken", {})


async def test_a_slow_reply_times_out(harness: BusHarness) -> None:
    server, client = harness.pair()
    server.serve("calc", "slow", slow)
    await server.start()
    await client.start()
    started = time.monotonic()
    with pytest.raises(BusTimeoutError, match="calc.slow"):
        await client.call("calc", "slow", {}, timeout_s=0.2)
    assert time.monotonic() - started < 0.9


async def test_a_call_to_a_service_nobody_runs_times_out(harness: BusHarness) -> None:
    client = harness.make()
    await client.start()
    started = time.monotonic()
    with pytest.raises(BusTimeoutError, match="nobody.add"):
        await client.call("nobody", "add", {}, timeout_s=0.3)
    assert time.monotonic() - started < 1.5


async def test_a_service_started_after_a_stale_request_does_not_run_it(
    harness: BusHarness,
) -> None:
    server, client = harness.pair()
    ran: list[dict[str, Any]] = []

    async def record(params: dict[str, Any]) -> dict[str, Any]:
        ran.append(params)
        return {}

    await client.start()
    with pytest.raises(BusTimeoutError):
        await client.call("late", "record", {"n": 1}, timeout_s=0.1)
    server.serve("late", "record", record)
    await server.start()
    await asyncio.sleep(0.3)
    assert ran == []
    assert await client.call("late", "record", {"n": 2}) == {}
    assert ran == [{"n": 2}]
