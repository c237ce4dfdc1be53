"""The v1 REST API over a real SQLite database, through the ASGI app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tradestack.api.app import build_api
from tradestack.config.loader import load_settings
from tradestack.kernel import Kernel


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    kernel = Kernel.build(load_settings(home=tmp_path, run={"history_bars": 50, "timeframe": "1m"}))
    await kernel.prepare()
    app = build_api(kernel)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http
    await kernel.db.dispose()


async def test_health_says_ok(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


async def test_candlesticks_take_dash_symbols(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/candlesticks/BTC-USDT", params={"limit": 10})
    body = response.json()
    assert response.status_code == 200
    assert body["symbol"] == "BTC/USDT" and len(body["candles"]) == 10
    times = [c["ts"] for c in body["candles"]]
    assert times == sorted(times)


async def test_bad_timeframe_is_one_json_error(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/candlesticks/BTC-USDT", params={"timeframe": "7q"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_value"
    assert "invalid timeframe" in response.json()["error"]["message"]


async def test_orders_and_positions_start_empty(client: httpx.AsyncClient) -> None:
    orders = await client.get("/api/v1/orders", params={"status": "FILLED", "limit": 5})
    assert orders.status_code == 200 and orders.json() == {"items": [], "limit": 5, "offset": 0}
    assert (await client.get("/api/v1/positions")).json() == []


async def test_system_status_and_openapi(client: httpx.AsyncClient) -> None:
    status = (await client.get("/api/v1/system/status")).json()
    assert status["shape"] == "all-in-one"
    assert status["traders"][0]["trader_id"] == "default"
    paths = (await client.get("/openapi.json")).json()["paths"]
    for path in (
        "/api/v1/health",
        "/api/v1/orders",
        "/api/v1/positions",
        "/api/v1/candlesticks/{symbol}",
        "/api/v1/system/status",
    ):
        assert path in paths
