"""The alerts and analytics routes, and the audit record of manual actions over the API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from tests.integration.analytics.seed import seed_alice
from tradestack.api.app import build_api
from tradestack.auth.roles import Role
from tradestack.auth.tokens import create_token
from tradestack.compliance.trail import audit_records
from tradestack.config.loader import load_settings
from tradestack.domain.alerts import Severity
from tradestack.kernel import Kernel
from tradestack.storage.repositories.alerts import insert_alert


@pytest.fixture
async def kernel(tmp_path: Path) -> AsyncIterator[Kernel]:
    k = Kernel.build(load_settings(home=tmp_path, run={"history_bars": 30}))
    await k.prepare()
    yield k
    await k.db.dispose()


@pytest.fixture
async def client(kernel: Kernel) -> AsyncIterator[httpx.AsyncClient]:
    # Acknowledging and steering traders change state: they need a token, whose name is the actor.
    _info, token = await create_token(kernel.db, name="ops", role=Role.ADMIN)
    transport = httpx.ASGITransport(app=build_api(kernel))
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://test", headers=headers
    ) as http:
        yield http


async def test_list_and_acknowledge_alerts(kernel: Kernel, client: httpx.AsyncClient) -> None:
    async with kernel.db.transaction() as connection:
        for n, severity in enumerate((Severity.WARNING, Severity.CRITICAL)):
            await insert_alert(
                connection,
                type="daily_loss_limit",
                severity=severity,
                subject=f"trader-{n}",
                message=f"daily loss {n}",
                details={"n": n},
                raised_at=datetime(2026, 1, 1, n, tzinfo=UTC),
            )
    listed = (await client.get("/api/v1/alerts")).json()
    assert [a["subject"] for a in listed] == ["trader-1", "trader-0"]
    assert listed[0]["severity"] == "critical" and listed[0]["active"] is True
    assert set(listed[0]) >= {"type", "message", "details", "acknowledged", "time", "resolved_at"}

    acked = await client.post(f"/api/v1/alerts/{listed[0]['id']}/ack")
    assert acked.status_code == 200
    assert acked.json()["acknowledged"] is True
    assert acked.json()["acknowledged_by"] == "api:ops"
    left = (await client.get("/api/v1/alerts", params={"unacknowledged": True})).json()
    assert [a["subject"] for a in left] == ["trader-0"]
    missing = await client.post("/api/v1/alerts/999/ack")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    (action,) = [r for r in await audit_records(kernel.db) if r.category == "manual"]
    assert (action.summary, action.subject) == ("alert.acknowledge", str(listed[0]["id"]))


async def test_analytics_routes(kernel: Kernel, client: httpx.AsyncClient) -> None:
    await seed_alice(kernel.db)
    window = {"to": "2026-01-07T00:00:00"}
    trader = await client.get("/api/v1/analytics/traders/alice", params=window)
    assert trader.status_code == 200
    body = trader.json()
    assert body["summary"]["trades"] == 1 and body["summary"]["net_pnl"] == "200"
    assert body["summary"]["fees_paid"] == "0.21"
    assert [d["pnl"] for d in body["daily_pnl"]] == ["50", "150"]
    assert len(body["equity_curve"]) == 5
    assert (await client.get("/api/v1/analytics/traders/nobody")).status_code == 404
    strategy = (await client.get("/api/v1/analytics/strategies/sma_cross", params=window)).json()
    assert strategy["summary"]["scope"] == "strategy" and strategy["summary"]["trades"] == 1
    assert (await client.get("/api/v1/analytics/performance")).json() == []


async def test_manual_actions_over_the_api_are_on_the_audit_trail(
    kernel: Kernel, client: httpx.AsyncClient
) -> None:
    await kernel.traders.start()
    try:
        stopped = await client.post("/api/v1/traders/default/emergency-stop?flatten=true")
        assert stopped.status_code == 200
        assert (await client.post("/api/v1/traders/default/start")).status_code == 200
    finally:
        await kernel.traders.stop()
    actions = [
        (r.actor, r.summary, r.subject)
        for r in await audit_records(kernel.db)
        if r.category == "manual"
    ]
    assert actions == [
        ("api:ops", "trader.emergency_stop", "default"),
        ("api:ops", "trader.start", "default"),
    ]
