"""Settings that change access: no anonymous reads at all, and CORS for named origins."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.api.conftest import LOOPBACK, client_for
from tradestack.kernel import Kernel


@pytest.fixture
def api_settings() -> dict[str, Any]:
    return {"api": {"anonymous_read": "off", "cors_origins": ["http://localhost:5173"]}}


async def test_anonymous_read_off_needs_a_token_even_on_loopback(kernel: Kernel) -> None:
    async with client_for(kernel, LOOPBACK) as http:
        assert (await http.get("/api/v1/orders")).status_code == 401


async def test_cors_answers_only_the_configured_origin(kernel: Kernel) -> None:
    async with client_for(kernel, LOOPBACK) as http:
        allowed = await http.options(
            "/api/v1/orders",
            headers={"Origin": "http://localhost:5173", "Access-Control-Request-Method": "GET"},
        )
        other = await http.get("/api/v1/health", headers={"Origin": "https://evil.example"})
    assert allowed.headers["access-control-allow-origin"] == "http://localhost:5173"
    assert "access-control-allow-origin" not in other.headers
