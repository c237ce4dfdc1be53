"""Orders sent to a draining gateway answer 503 with Retry-After at once, not 400 after 5 s."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from tradestack.auth.roles import Role
from tradestack.auth.tokens import create_token
from tradestack.bus.memory import InMemoryBus
from tradestack.config.loader import load_settings
from tradestack.kernel import prepare_database
from tradestack.services.gateway import GatewayService
from tradestack.storage.database import Database

pytestmark = pytest.mark.slow
ORDER = {"trader_id": "default", "symbol": "BTC-USDT", "side": "BUY", "quantity": "0.001"}


async def _gateway(tmp_path: Path) -> tuple[GatewayService, str]:
    settings = load_settings(home=tmp_path)
    db = Database(settings.database_url)
    await prepare_database(settings, db)
    _info, token = await create_token(db, name="alice", role=Role.TRADER)
    await db.dispose()
    gateway = GatewayService(settings, bus=InMemoryBus())
    await gateway.start()
    return gateway, token


def _client(gateway: GatewayService, token: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=gateway.app()),
        base_url="http://gw",
        headers={"Authorization": f"Bearer {token}"},
    )


async def test_orders_to_a_draining_gateway_answer_503_at_once(tmp_path: Path) -> None:
    gateway, token = await _gateway(tmp_path)
    try:
        await gateway.drain()
        async with _client(gateway, token) as api:
            started = time.monotonic()
            placed = await api.post("/api/v1/orders", json=ORDER)
            elapsed_s = time.monotonic() - started
            canceled = await api.delete("/api/v1/orders/some-order")
            listed = await api.get("/api/v1/orders")
    finally:
        await gateway.stop()
    assert placed.status_code == 503, placed.text
    assert int(placed.headers["Retry-After"]) >= 1
    assert placed.json()["error"]["code"] == "service_unavailable"
    assert "draining" in placed.json()["error"]["message"]
    assert elapsed_s < 1.0
    assert canceled.status_code == 503 and "Retry-After" in canceled.headers
    assert listed.status_code == 200  # reads still answer from the database


async def test_orders_exec_risk_does_not_answer_are_503_not_400(tmp_path: Path) -> None:
    gateway, token = await _gateway(tmp_path)  # no exec-risk service on this bus
    try:
        async with _client(gateway, token) as api:
            placed = await api.post("/api/v1/orders", json=ORDER)
    finally:
        await gateway.drain()
        await gateway.stop()
    assert placed.status_code == 503, placed.text
    assert "Retry-After" in placed.headers
