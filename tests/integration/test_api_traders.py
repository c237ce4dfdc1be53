"""The /api/v1/traders routes drive the trader manager of a running kernel."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tradestack.api.app import build_api
from tradestack.auth.roles import Role
from tradestack.auth.tokens import create_token
from tradestack.config.loader import load_settings
from tradestack.kernel import Kernel


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    kernel = Kernel.build(load_settings(home=tmp_path, run={"history_bars": 50}))
    await kernel.prepare()
    await kernel.start()
    _info, token = await create_token(kernel.db, name="ops", role=Role.ADMIN)
    transport = httpx.ASGITransport(app=build_api(kernel))
    headers = {"Authorization": f"Bearer {token}"}  # managing traders needs the admin role
    async with httpx.AsyncClient(
        transport=transport, base_url="http://test", headers=headers
    ) as http:
        yield http
    await kernel.stop()


async def test_trader_lifecycle_over_the_api(client: httpx.AsyncClient) -> None:
    created = await client.post(
        "/api/v1/traders",
        json={
            "trader_id": "bob",
            "strategy": "channel_breakout",
            "params": {"entry": 15},
            "symbol": "ETH/USDT",
            "timeframe": "5m",
            "starting_cash": "2500",
        },
    )
    assert created.status_code == 201, created.text
    assert created.json()["runtime"]["state"] == "RUNNING"
    names = [t["trader_id"] for t in (await client.get("/api/v1/traders")).json()]
    assert names == ["bob", "default"]

    equity = (await client.get("/api/v1/traders/bob/equity")).json()
    assert equity["trader_id"] == "bob" and isinstance(equity["daily_pnl"], list)
    assert (await client.get("/api/v1/traders/nobody/equity")).status_code == 404

    stopped = await client.post("/api/v1/traders/bob/stop")
    assert stopped.json()["status"] == "stopped" and stopped.json()["runtime"] is None
    started = await client.post("/api/v1/traders/bob/start")
    assert started.json()["runtime"]["state"] == "RUNNING"

    halted = await client.post("/api/v1/traders/bob/emergency-stop", params={"flatten": True})
    assert halted.json() == {"trader_id": "bob", "canceled_orders": 0, "flatten": True}
    assert (await client.get("/api/v1/traders/bob")).json()["runtime"]["halted"] == "emergency stop"

    refused = await client.delete("/api/v1/traders/bob")
    assert refused.status_code == 400 and "stop it first" in refused.json()["error"]["message"]
    await client.post("/api/v1/traders/bob/stop")
    assert (await client.delete("/api/v1/traders/bob")).status_code == 204
    assert (await client.get("/api/v1/traders/bob")).status_code == 404


async def test_invalid_trader_is_a_clear_400(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/traders", json={"trader_id": "x", "params": {"fast": 40, "slow": 10}}
    )
    assert response.status_code == 400
    assert "fast < slow" in response.json()["error"]["message"]
    dup = await client.post("/api/v1/traders", json={"trader_id": "default"})
    assert dup.status_code == 400 and "already exists" in dup.json()["error"]["message"]
