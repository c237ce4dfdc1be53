"""The five service roles wired through one in-memory bus: the services shape's logic, fast."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from tradestack.auth.roles import Role
from tradestack.auth.tokens import create_token
from tradestack.bus.memory import InMemoryBus
from tradestack.config.loader import load_settings
from tradestack.domain.enums import OrderStatus
from tradestack.kernel import prepare_database
from tradestack.services.analytics import AnalyticsService
from tradestack.services.exec_risk import ExecRiskService
from tradestack.services.gateway import GatewayService
from tradestack.services.health_app import build_health_app
from tradestack.services.market_data import MarketDataService
from tradestack.services.strategy import StrategyService
from tradestack.storage.database import Database
from tradestack.storage.repositories.orders import list_fills, list_orders

pytestmark = pytest.mark.slow


async def wait_for(predicate, timeout_s: float = 30.0):  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout_s
    while asyncio.get_running_loop().time() < deadline:
        value = await predicate()
        if value:
            return value
        await asyncio.sleep(0.1)
    raise AssertionError("timed out")


async def test_services_trade_like_the_all_in_one_shape(tmp_path: Path) -> None:
    settings = load_settings(
        home=tmp_path,
        run={
            "history_bars": 60,
            "strategy_params": {"fast": 3, "slow": 8},
            "replay": "fast",
            "replay_interval_s": 0.02,
        },
        services={"heartbeat_interval_s": 0.2, "heartbeat_timeout_s": 1.0},
    )
    db = Database(settings.database_url)
    await prepare_database(settings, db)
    bus = InMemoryBus()
    analytics = AnalyticsService(settings, bus=bus)
    exec_risk = ExecRiskService(settings, bus=bus)
    strategy = StrategyService(settings, bus=bus)
    gateway = GatewayService(settings, bus=bus)
    market = MarketDataService(settings, bus=bus)
    hosts = [analytics, exec_risk, strategy, gateway, market]
    for host in hosts:
        await host.start()
    try:

        async def filled() -> list:  # type: ignore[type-arg]
            async with db.read() as connection:
                return [
                    o
                    for o in await list_orders(connection, limit=1000)
                    if o.status is OrderStatus.FILLED
                ]

        await wait_for(filled)
        _info, token = await create_token(db, name="ops", role=Role.ADMIN)  # the kill switch
        api = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=gateway.app()),
            base_url="http://gateway",
            headers={"Authorization": f"Bearer {token}"},
        )
        traders = (await api.get("/api/v1/traders")).json()
        assert traders[0]["runtime"]["orders_filled"] >= 1  # live figures over RPC
        graph = (await api.get("/api/v1/system/health-graph")).json()
        assert {n["service"]: n["status"] for n in graph["nodes"]} == dict.fromkeys(
            ["market-data", "strategy", "exec-risk", "analytics", "gateway"], "healthy"
        )
        ready = await httpx.AsyncClient(
            transport=httpx.ASGITransport(app=build_health_app(exec_risk)), base_url="http://x"
        ).get("/ready")
        assert ready.status_code == 200 and ready.json()["info"]["traders_running"] == 1
        order = {"trader_id": "default", "symbol": "BTC-USDT", "side": "BUY", "quantity": "0.001"}
        placed = await api.post("/api/v1/orders", json={**order, "type": "LIMIT", "price": "1"})
        assert placed.status_code == 201 and placed.json()["status"] == "SUBMITTED"  # over RPC
        path = f"/api/v1/orders/{placed.json()['client_order_id']}"
        canceled = await api.delete(path)
        assert canceled.status_code == 200 and canceled.json()["status"] == "CANCELED"
        assert (await api.delete(path)).status_code == 409  # the same errors as all-in-one
        assert (
            await api.post("/api/v1/orders", json={**order, "trader_id": "x"})
        ).status_code == 404
        halted = await api.post("/api/v1/traders/default/emergency-stop")
        assert halted.status_code == 200
        assert exec_risk.traders.runners["default"].context.risk.halted == "emergency stop"
        health = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=build_health_app(market)), base_url="http://x"
        )
        assert (await health.post("/api/v1/system/drain")).status_code == 401  # admin only
        admin = {"Authorization": f"Bearer {token}"}
        drained = await health.post("/api/v1/system/drain", headers=admin)
        assert drained.status_code == 200 and drained.json()["draining"] is True
    finally:
        for host in reversed(hosts):
            await host.drain()
            await host.stop()
    async with db.read() as connection:
        fills = await list_fills(connection, limit=10_000)
        orders = await list_orders(connection, limit=10_000)
    assert len({f.trade_id for f in fills}) == len(fills)
    assert len({o.client_order_id for o in orders}) == len(orders)
    await db.dispose()
