"""Orders over the API go through the trader's risk check, order manager and venue."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.integration.api.conftest import eventually, publish_next_bar
from tradestack.kernel import Kernel


def order(**fields: Any) -> dict[str, Any]:
    return {
        "trader_id": "default",
        "symbol": "BTC-USDT",
        "side": "BUY",
        "quantity": "0.01",
        **fields,
    }


async def test_market_order_fills_on_the_next_bar_and_shows_as_a_trade(
    kernel: Kernel, as_trader: httpx.AsyncClient
) -> None:
    placed = await as_trader.post("/api/v1/orders", json=order())
    assert placed.status_code == 201, placed.text
    body = placed.json()
    assert body["status"] == "SUBMITTED" and body["symbol"] == "BTC/USDT"
    assert placed.headers["location"] == f"/api/v1/orders/{body['client_order_id']}"

    bar = await publish_next_bar(kernel)

    async def filled() -> Any:
        found = await as_trader.get(f"/api/v1/orders/{body['client_order_id']}")
        return found.json()["status"] == "FILLED" and found.json()

    done = await eventually(filled)
    assert float(done["average_fill_price"]) == pytest.approx(bar.open, rel=1e-3)
    trades = (await as_trader.get("/api/v1/trades", params={"symbol": "BTC-USDT"})).json()
    assert [t["client_order_id"] for t in trades["items"]] == [body["client_order_id"]]
    assert (await as_trader.get("/api/v1/trades", params={"side": "SELL"})).json()["items"] == []
    balance = (await as_trader.get("/api/v1/accounts/balance")).json()["accounts"][0]
    assert {b["asset"] for b in balance["balances"]} == {"BTC", "USDT"}


async def test_risk_rejection_is_recorded_with_its_reason(as_trader: httpx.AsyncClient) -> None:
    response = await as_trader.post("/api/v1/orders", json=order(quantity="5000"))
    assert response.status_code == 201
    assert response.json()["status"] == "REJECTED"
    assert "above the limit of 1000000 USD" in response.json()["reason"]


async def test_a_working_limit_order_can_be_canceled_once(as_trader: httpx.AsyncClient) -> None:
    placed = (await as_trader.post("/api/v1/orders", json=order(type="LIMIT", price="1"))).json()
    assert placed["status"] == "SUBMITTED"
    path = f"/api/v1/orders/{placed['client_order_id']}"
    canceled = await as_trader.delete(path)
    assert canceled.status_code == 200 and canceled.json()["status"] == "CANCELED"
    again = await as_trader.delete(path)
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"
    assert (await as_trader.delete("/api/v1/orders/nope")).status_code == 404


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"type": "LIMIT"}, "price"),
        ({"type": "STOP"}, "stop_price"),
        ({"quantity": "-1"}, "quantity"),
        ({"side": "SIDEWAYS"}, "side"),
        ({"quantity": "abc"}, "quantity"),
        ({"surprise": 1}, "surprise"),
    ],
)
async def test_an_invalid_order_is_a_422_naming_the_field(
    as_trader: httpx.AsyncClient, fields: dict[str, Any], field: str
) -> None:
    response = await as_trader.post("/api/v1/orders", json=order(**fields))
    assert response.status_code == 422, response.text
    assert field in response.json()["error"]["message"]


async def test_orders_for_missing_stopped_or_other_symbol_traders(
    kernel: Kernel, as_trader: httpx.AsyncClient
) -> None:
    missing = await as_trader.post("/api/v1/orders", json=order(trader_id="ghost"))
    assert missing.status_code == 404
    wrong_symbol = await as_trader.post("/api/v1/orders", json=order(symbol="ETH-USDT"))
    assert wrong_symbol.status_code == 400 and "trades BTC/USDT" in wrong_symbol.text
    await kernel.traders.stop_trader("default")
    stopped = await as_trader.post("/api/v1/orders", json=order())
    assert stopped.status_code == 409 and "not running" in stopped.json()["error"]["message"]
