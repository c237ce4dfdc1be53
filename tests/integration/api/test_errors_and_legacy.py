"""One error shape everywhere, no 500 on bad input, and the older paths with deprecation headers."""

from __future__ import annotations

import itertools
import re
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tests.integration.api.conftest import REMOTE, client_for
from tradestack.auth.roles import Role
from tradestack.kernel import Kernel

BAD_VALUES = ["abc", "-1", "0", "1e400", "99999999999999999999999", "", "nan", "%00", "x" * 300]
BAD_BODIES: list[Any] = [
    {},
    [],
    "text",
    {"trader_id": 1, "symbol": None, "side": [], "quantity": {"a": 1}},
    {"trader_id": "default", "symbol": "BTC-USDT", "side": "BUY", "quantity": "1e400"},
    {"trader_id": "default", "symbol": "BTC-USDT", "side": "BUY", "quantity": "NaN"},
    {"trader_id": "x" * 500, "strategy": "nope", "starting_cash": "-5", "timeframe": "7q"},
    {"trader_id": "a b", "params": {"fast": "x"}},
]


def assert_error_shape(response: httpx.Response) -> None:
    body = response.json()
    assert set(body) == {"error"}, body
    assert isinstance(body["error"]["code"], str) and isinstance(body["error"]["message"], str)
    assert "details" in body["error"]


async def test_no_route_answers_500_on_bad_input(kernel: Kernel, tokens: dict[Role, str]) -> None:
    """Every documented route, with junk in each path and query parameter and in the body."""
    async with client_for(kernel, REMOTE, tokens[Role.ADMIN]) as http:
        spec = (await http.get("/openapi.json")).json()
        checked = 0
        for path, item in spec["paths"].items():
            for method, operation in item.items():
                names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
                bodies = BAD_BODIES if method in ("post", "put", "patch") else [None]
                for value, body in itertools.product(BAD_VALUES, bodies):
                    url = re.sub(r"\{[^}]+\}", quote(value, safe="") or "x", path)
                    params = dict.fromkeys(names, value)
                    response = await http.request(method, url, params=params, json=body)
                    checked += 1
                    assert response.status_code < 500, (method, url, params, body, response.text)
                    if response.status_code >= 400:
                        assert_error_shape(response)
                broken = await http.request(
                    method, path, content=b"{not json", headers={"Content-Type": "application/json"}
                )
                assert broken.status_code < 500, (method, path, broken.text)
    assert checked > 200


async def test_validation_errors_name_the_field(api: httpx.AsyncClient) -> None:
    response = await api.get("/api/v1/orders", params={"limit": "5001", "status": "SOMEDAY"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert {d["field"] for d in error["details"]} == {"limit", "status"}
    assert "limit" in error["message"] and "status" in error["message"]


async def test_unknown_routes_and_methods_use_the_error_shape(api: httpx.AsyncClient) -> None:
    missing = await api.get("/api/v1/nothing-here")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    wrong = await api.put("/api/v1/health")
    assert wrong.status_code == 405 and wrong.json()["error"]["code"] == "method_not_allowed"


async def test_openapi_documents_every_routes_errors(api: httpx.AsyncClient) -> None:
    spec = (await api.get("/openapi.json")).json()
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            documented = set(operation["responses"])
            assert "422" in documented or not operation.get("parameters"), (method, path)
            if path not in ("/api/v1/health", "/api/health"):
                assert {"401", "403", "429"} <= documented, (method, path)
            if method in ("post", "delete"):
                assert "404" in documented or path == "/api/v1/orders", (method, path)
    assert spec["paths"]["/api/orders"]["get"]["deprecated"] is True


LEGACY = [
    ("/api/health", "/api/v1/health"),
    ("/api/status", "/api/v1/system/status"),
    ("/api/candlesticks/BTC-USDT?limit=3", "/api/v1/candlesticks/BTC-USDT?limit=3"),
    ("/api/balance", "/api/v1/accounts/balance"),
    ("/api/orders?limit=2", "/api/v1/orders?limit=2"),
    ("/api/trades", "/api/v1/trades"),
    ("/api/positions", "/api/v1/positions"),
    ("/api/strategies", "/api/v1/strategies"),
]


@pytest.mark.parametrize(("legacy", "current"), LEGACY)
async def test_legacy_path_answers_like_v1_with_deprecation_headers(
    api: httpx.AsyncClient, legacy: str, current: str
) -> None:
    old, new = await api.get(legacy), await api.get(current)
    assert old.status_code == new.status_code == 200
    ignore = {"uptime_s"}
    assert _without(old.json(), ignore) == _without(new.json(), ignore)
    assert old.headers["deprecation"] == "true"
    assert old.headers["link"] == f'<{current.split("?")[0]}>; rel="successor-version"'
    assert "deprecation" not in new.headers


async def test_legacy_paths_keep_auth_and_mark_errors_too(kernel: Kernel) -> None:
    async with client_for(kernel, REMOTE) as http:
        response = await http.get("/api/orders")
    assert response.status_code == 401 and response.headers["deprecation"] == "true"


async def test_legacy_latest_follows_the_v1_route(api: httpx.AsyncClient) -> None:
    old = await api.get("/api/latest/BTC-USDT")
    new = await api.get("/api/v1/latest/BTC-USDT")
    assert old.status_code == new.status_code
    assert old.headers["link"] == '</api/v1/latest/BTC-USDT>; rel="successor-version"'


def _without(value: Any, keys: set[str]) -> Any:
    if isinstance(value, dict):
        return {k: _without(v, keys) for k, v in value.items() if k not in keys}
    return value


async def test_legacy_link_header_is_percent_encoded_for_any_path(api: httpx.AsyncClient) -> None:
    # A raw control or non-ASCII character in a header made the HTTP server drop the connection.
    answer = await api.get("/api/candlesticks/" + quote("ñ\x7f", safe=""))
    link = answer.headers["link"]
    assert link == '</api/v1/candlesticks/%C3%B1%7F>; rel="successor-version"'
    assert link.isascii() and "\x7f" not in link
