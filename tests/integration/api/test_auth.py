"""Bearer tokens and roles: 401 for a missing or bad token, 403 for a weak role, 429 when over."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.api.conftest import LOOPBACK, REMOTE, client_for
from tradestack.auth.roles import Role
from tradestack.auth.tokens import revoke_token
from tradestack.kernel import Kernel

ORDER = {"trader_id": "default", "symbol": "BTC-USDT", "side": "BUY", "quantity": "0.001"}


async def test_loopback_reads_without_a_token_but_changes_need_one(kernel: Kernel) -> None:
    async with client_for(kernel, LOOPBACK) as http:
        assert (await http.get("/api/v1/orders")).status_code == 200
        assert (await http.get("/api/v1/system/status")).status_code == 200
        refused = await http.post("/api/v1/orders", json=ORDER)
        assert refused.status_code == 401
        assert refused.headers["www-authenticate"] == "Bearer"
        assert refused.json()["error"]["code"] == "unauthorized"
        assert (await http.post("/api/v1/traders/default/stop")).status_code == 401


async def test_remote_reads_need_a_token(kernel: Kernel, tokens: dict[Role, str]) -> None:
    async with client_for(kernel, REMOTE) as http:
        response = await http.get("/api/v1/positions")
        assert response.status_code == 401
        assert "bearer token" in response.json()["error"]["message"]
        assert (await http.get("/api/v1/health")).status_code == 200  # liveness stays open
    async with client_for(kernel, REMOTE, tokens[Role.VIEWER]) as http:
        assert (await http.get("/api/v1/positions")).status_code == 200


@pytest.mark.parametrize(
    "header", ["Bearer ts_not-a-real-token", "Basic YWxpY2U6c2VjcmV0", "Bearer"]
)
async def test_a_bad_token_is_401_even_on_loopback(kernel: Kernel, header: str) -> None:
    async with client_for(kernel, LOOPBACK) as http:
        response = await http.get("/api/v1/orders", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize(
    ("role", "method", "path", "body", "allowed"),
    [
        (Role.VIEWER, "GET", "/api/v1/trades", None, True),
        (Role.VIEWER, "POST", "/api/v1/orders", ORDER, False),
        (Role.TRADER, "POST", "/api/v1/orders", ORDER, True),
        (Role.TRADER, "POST", "/api/v1/traders/default/stop", None, False),
        (Role.TRADER, "POST", "/api/v1/traders/default/emergency-stop", None, False),
        (Role.ADMIN, "POST", "/api/v1/traders/default/emergency-stop", None, True),
    ],
)
async def test_roles_are_ordered_viewer_trader_admin(
    kernel: Kernel,
    tokens: dict[Role, str],
    role: Role,
    method: str,
    path: str,
    body: Any,
    allowed: bool,
) -> None:
    async with client_for(kernel, REMOTE, tokens[role]) as http:
        response = await http.request(method, path, json=body)
    if allowed:
        assert response.status_code < 300, response.text
    else:
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "forbidden"
        assert role.label in response.json()["error"]["message"]


@pytest.fixture
def api_settings() -> dict[str, Any]:
    return {
        "api": {"token_cache_s": 0, "rate_limit_per_s": 1, "rate_limit_burst": 3},
        "api_token": "bootstrap-secret-for-tests",
    }


async def test_a_revoked_token_is_refused(kernel: Kernel, tokens: dict[Role, str]) -> None:
    async with client_for(kernel, REMOTE, tokens[Role.VIEWER]) as http:
        assert (await http.get("/api/v1/trades")).status_code == 200
        await revoke_token(kernel.db, "test-viewer")
        assert (await http.get("/api/v1/trades")).status_code == 401


async def test_each_token_has_a_rate_limit_with_retry_after(
    kernel: Kernel, tokens: dict[Role, str]
) -> None:
    async with client_for(kernel, REMOTE, tokens[Role.VIEWER]) as http:
        codes = [(await http.get("/api/v1/strategies")).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        limited = await http.get("/api/v1/strategies")
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
        assert limited.json()["error"]["code"] == "rate_limited"
    async with client_for(kernel, REMOTE, tokens[Role.ADMIN]) as other:
        assert (await other.get("/api/v1/strategies")).status_code == 200  # its own bucket
    async with client_for(kernel, LOOPBACK) as anonymous:
        assert all(
            [(await anonymous.get("/api/v1/strategies")).status_code == 200 for _ in range(5)]
        )


async def test_the_bootstrap_token_from_the_settings_is_an_admin(kernel: Kernel) -> None:
    async with client_for(kernel, REMOTE, "bootstrap-secret-for-tests") as http:
        response = await http.post("/api/v1/traders/default/stop")
    assert response.status_code == 200 and response.json()["status"] == "stopped"


async def test_cors_is_off_by_default(kernel: Kernel) -> None:
    async with client_for(kernel, LOOPBACK) as http:
        response = await http.get("/api/v1/health", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in response.headers
