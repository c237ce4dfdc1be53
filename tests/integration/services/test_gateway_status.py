"""The gateway's system status answers in the API's schema: a mapping of service -> state."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tradestack.bus.memory import InMemoryBus
from tradestack.config.loader import load_settings
from tradestack.config.settings import Settings
from tradestack.kernel import prepare_database
from tradestack.services import SERVICE_NAMES
from tradestack.services.analytics import AnalyticsService
from tradestack.services.gateway import GatewayService
from tradestack.storage.database import Database

pytestmark = pytest.mark.slow


@contextlib.asynccontextmanager
async def _lone_gateway(settings: Settings) -> AsyncIterator[GatewayService]:
    """A started gateway on a migrated database, with no other service around it."""
    db = Database(settings.database_url)
    await prepare_database(settings, db)
    await db.dispose()
    gateway = GatewayService(settings, bus=InMemoryBus())
    await gateway.start()
    try:
        yield gateway
    finally:
        await gateway.drain()
        await gateway.stop()


async def _status(gateway: GatewayService, path: str) -> httpx.Response:
    api = httpx.AsyncClient(transport=httpx.ASGITransport(app=gateway.app()), base_url="http://gw")
    async with api:
        return await api.get(path)


async def test_gateway_status_names_each_service_with_its_state(tmp_path: Path) -> None:
    settings = load_settings(
        home=tmp_path, services={"heartbeat_interval_s": 0.1, "heartbeat_timeout_s": 5.0}
    )
    db = Database(settings.database_url)
    await prepare_database(settings, db)
    await db.dispose()
    bus = InMemoryBus()
    analytics = AnalyticsService(settings, bus=bus)
    gateway = GatewayService(settings, bus=bus)
    for host in (analytics, gateway):
        await host.start()
    try:
        for _ in range(50):  # both heartbeats seen by the health graph
            answer = await _status(gateway, "/api/v1/system/status")
            if answer.status_code == 200 and answer.json()["services"].get("gateway") == "healthy":
                break
            await asyncio.sleep(0.1)
        assert answer.status_code == 200, answer.text
        services = answer.json()["services"]
        assert set(services) == set(SERVICE_NAMES)
        assert services["gateway"] == "healthy" and services["analytics"] == "healthy"
        assert services["exec-risk"] == "unknown"  # never started: no heartbeat yet
        legacy = await _status(gateway, "/api/status")
        assert legacy.status_code == 200 and set(legacy.json()["services"]) == set(SERVICE_NAMES)
        assert "Deprecation" in legacy.headers
    finally:
        for host in (gateway, analytics):
            await host.drain()
            await host.stop()


async def test_gateway_status_without_analytics_says_the_graph_is_unavailable(
    tmp_path: Path,
) -> None:
    settings = load_settings(home=tmp_path)
    async with _lone_gateway(settings) as gateway:
        answer = await _status(gateway, "/api/v1/system/status")
        assert answer.status_code == 200, answer.text
        assert answer.json()["services"]["analytics"].startswith("unreachable")


async def test_gateway_ready_reports_the_llm_provider_without_deciding_readiness(
    tmp_path: Path,
) -> None:
    settings = load_settings(home=tmp_path)
    async with _lone_gateway(settings) as gateway:
        answer = await _status(gateway, "/ready")
        body = answer.json()
        assert answer.status_code == 200, answer.text
        assert body["ready"] is True
        assert body["info"]["llm"][0]["provider"] == settings.llm.provider
        assert body["info"]["llm"][0]["status"] == "off"  # no assistant configured
