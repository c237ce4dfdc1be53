"""A small local server speaking binance's spot REST format, for ccxt's real binance class.

It keeps balances, orders and trades for one symbol (BTCUSDT), fills market
orders at ``price`` at once, lets limit orders rest until ``fill()``, and can be
told to misbehave once: answer 429, hang after storing an order (the client
times out), or drop the connection after storing it (the response is lost).
"""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from aiohttp import web

SYMBOL = "BTCUSDT"
FEE_RATE = Decimal("0.001")


@dataclass
class Fault:
    method: str
    path: str
    kind: str
    """'429'; 'hang' (store, then answer too late); 'drop' (store, then close the socket);
    'lost' (close the socket without storing: the request never arrived)."""
    count: int = 1


@dataclass
class BinanceServer:
    price: Decimal = Decimal(50_000)
    balances: dict[str, list[Decimal]] = field(
        default_factory=lambda: {"USDT": [Decimal(10_000), Decimal(0)], "BTC": [Decimal(0)] * 2}
    )
    orders: dict[int, dict[str, Any]] = field(default_factory=dict)
    trades: list[dict[str, Any]] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    hang_s: float = 2.0
    url: str = ""
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1001))
    _runner: web.AppRunner | None = None

    # -- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/v3/{path:.*}", self._handle)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_urls(self) -> dict[str, str]:
        base = f"{self.url}/api/v3"
        return {"public": base, "private": base}

    # -- test controls ------------------------------------------------------------------------

    def fail(self, method: str, path: str, kind: str, count: int = 1) -> None:
        self.faults.append(Fault(method, path, kind, count))

    def posts(self, path: str = "order") -> int:
        return sum(1 for m, p, _ in self.requests if m == "POST" and p == path)

    def by_client_id(self, client_id: str) -> dict[str, Any] | None:
        return next((o for o in self.orders.values() if o["clientOrderId"] == client_id), None)

    def fill(self, order_id: int, quantity: Decimal | None = None) -> dict[str, Any]:
        """Execute a resting order (all of what is left by default) at its limit price."""
        order = self.orders[order_id]
        left = Decimal(order["origQty"]) - Decimal(order["executedQty"])
        return self._execute(order, quantity or left, Decimal(order["price"]))

    def add_order(self, client_id: str, side: str, quantity: Decimal, price: Decimal) -> int:
        """Place a resting limit order as if someone had sent it (an orphan)."""
        order = self._new_order(
            {"side": side, "type": "LIMIT", "quantity": str(quantity), "price": str(price)},
            client_id,
        )
        return int(order["orderId"])

    # -- HTTP ---------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        params = dict(request.query)
        if request.method == "POST":
            params.update({k: str(v) for k, v in (await request.post()).items()})
        path = request.match_info["path"]
        self.requests.append((request.method, path, params))
        fault = self._take_fault(request.method, path)
        if fault == "429":
            return web.json_response({"code": -1003, "msg": "Too many requests."}, status=429)
        if fault == "lost":
            _abort(request)
        signed = path in {"account", "order", "openOrders", "myTrades"}
        if signed and not request.headers.get("X-MBX-APIKEY"):
            return _error(-2015, "Invalid API-key, IP, or permissions for action.", 401)
        handler = getattr(self, f"_{request.method.lower()}_{path}", None)
        if handler is None:
            return _error(-1100, f"no route {request.method} {path}", 404)
        response: web.Response = handler(params)
        if fault == "hang":
            await asyncio.sleep(self.hang_s)
        elif fault == "drop":
            _abort(request)
        return response

    def _take_fault(self, method: str, path: str) -> str | None:
        for fault in self.faults:
            if fault.method == method and fault.path == path and fault.count > 0:
                fault.count -= 1
                return fault.kind
        return None

    def _get_ping(self, params: dict[str, str]) -> web.Response:
        return web.json_response({})

    def _get_time(self, params: dict[str, str]) -> web.Response:
        return web.json_response({"serverTime": _now_ms()})

    def _get_exchangeInfo(self, params: dict[str, str]) -> web.Response:
        return web.json_response(
            {
                "timezone": "UTC",
                "serverTime": _now_ms(),
                "rateLimits": [],
                "exchangeFilters": [],
                "symbols": [_market_info()],
            }
        )

    def _get_account(self, params: dict[str, str]) -> web.Response:
        balances = [
            {"asset": asset, "free": str(free), "locked": str(locked)}
            for asset, (free, locked) in self.balances.items()
        ]
        return web.json_response(
            {"balances": balances, "updateTime": _now_ms(), "accountType": "SPOT"}
        )

    def _post_order(self, params: dict[str, str]) -> web.Response:
        client_id = params.get("newClientOrderId") or f"server-{next(self._ids)}"
        existing = self.by_client_id(client_id)
        if existing is not None and existing["status"] in {"NEW", "PARTIALLY_FILLED"}:
            return _error(-2010, "Duplicate order sent.")
        quantity = Decimal(params["quantity"])
        price = Decimal(params.get("price") or self.price)
        if params["side"] == "BUY" and self._free("USDT") < quantity * price * (1 + FEE_RATE):
            return _error(-2010, "Account has insufficient balance for requested action.")
        if params["side"] == "SELL" and self._free("BTC") < quantity:
            return _error(-2010, "Account has insufficient balance for requested action.")
        order = self._new_order(params, client_id)
        fills = []
        if params["type"] == "MARKET":
            fills.append(self._execute(order, quantity, self.price))
        body = {**order, "transactTime": order["time"], "fills": [_fill_view(f) for f in fills]}
        return web.json_response(body)

    def _get_order(self, params: dict[str, str]) -> web.Response:
        order = self._find(params)
        if order is None:
            return _error(-2013, "Order does not exist.")
        return web.json_response(order)

    def _delete_order(self, params: dict[str, str]) -> web.Response:
        order = self._find(params)
        if order is None or order["status"] not in {"NEW", "PARTIALLY_FILLED"}:
            return _error(-2011, "Unknown order sent.")
        order["status"] = "CANCELED"
        self._unlock(order)
        body = {**order, "origClientOrderId": order["clientOrderId"]}
        body["clientOrderId"] = f"cancel-{next(self._ids)}"
        return web.json_response(body)

    def _get_openOrders(self, params: dict[str, str]) -> web.Response:
        open_ = [o for o in self.orders.values() if o["status"] in {"NEW", "PARTIALLY_FILLED"}]
        return web.json_response(open_)

    def _get_myTrades(self, params: dict[str, str]) -> web.Response:
        start = int(params.get("startTime", 0))
        end = int(params.get("endTime", 2**62))
        limit = int(params.get("limit", 500))
        trades = [t for t in self.trades if start <= t["time"] <= end][:limit]
        return web.json_response(trades)

    # -- matching -----------------------------------------------------------------------------

    def _new_order(self, params: dict[str, str], client_id: str) -> dict[str, Any]:
        order_id = next(self._ids)
        now = _now_ms()
        order = {
            "symbol": SYMBOL,
            "orderId": order_id,
            "orderListId": -1,
            "clientOrderId": client_id,
            "price": params.get("price", "0.00000000"),
            "origQty": params["quantity"],
            "executedQty": "0",
            "cummulativeQuoteQty": "0",
            "status": "NEW",
            "timeInForce": params.get("timeInForce", "GTC"),
            "type": params["type"],
            "side": params["side"],
            "stopPrice": params.get("stopPrice", "0"),
            "time": now,
            "updateTime": now,
            "isWorking": True,
            "workingTime": now,
        }
        self.orders[order_id] = order
        if params["type"] != "MARKET":
            self._lock(order)
        return order

    def _execute(self, order: dict[str, Any], quantity: Decimal, price: Decimal) -> dict[str, Any]:
        resting = order["type"] != "MARKET"
        if resting:
            self._unlock(order)
        executed = Decimal(order["executedQty"]) + quantity
        order["executedQty"] = str(executed)
        quote = Decimal(order["cummulativeQuoteQty"]) + quantity * price
        order["cummulativeQuoteQty"] = str(quote)
        done = executed >= Decimal(order["origQty"])
        order["status"] = "FILLED" if done else "PARTIALLY_FILLED"
        order["updateTime"] = _now_ms()
        fee = quantity * price * FEE_RATE
        sign = 1 if order["side"] == "BUY" else -1
        self.balances["BTC"][0] += sign * quantity
        self.balances["USDT"][0] -= sign * quantity * price + fee
        if resting and not done:
            self._lock(order)
        trade = {
            "symbol": SYMBOL,
            "id": next(self._ids),
            "orderId": order["orderId"],
            "orderListId": -1,
            "price": str(price),
            "qty": str(quantity),
            "quoteQty": str(quantity * price),
            "commission": str(fee),
            "commissionAsset": "USDT",
            "time": _now_ms(),
            "isBuyer": order["side"] == "BUY",
            "isMaker": resting,
            "isBestMatch": True,
        }
        self.trades.append(trade)
        return trade

    def _lock(self, order: dict[str, Any]) -> None:
        asset, amount = _reserved(order)
        self.balances[asset][0] -= amount
        self.balances[asset][1] += amount

    def _unlock(self, order: dict[str, Any]) -> None:
        asset, amount = _reserved(order)
        self.balances[asset][0] += amount
        self.balances[asset][1] -= amount

    def _free(self, asset: str) -> Decimal:
        return self.balances[asset][0]

    def _find(self, params: dict[str, str]) -> dict[str, Any] | None:
        if "origClientOrderId" in params:
            return self.by_client_id(params["origClientOrderId"])
        return self.orders.get(int(params.get("orderId", 0)))


def _reserved(order: dict[str, Any]) -> tuple[str, Decimal]:
    left = Decimal(order["origQty"]) - Decimal(order["executedQty"])
    if order["side"] == "BUY":
        return "USDT", left * Decimal(order["price"]) * (1 + FEE_RATE)
    return "BTC", left


def _abort(request: web.Request) -> None:
    """Close the connection without a response, as a crashed proxy or a cut cable would."""
    assert request.transport is not None
    request.transport.abort()
    raise asyncio.CancelledError


def _fill_view(trade: dict[str, Any]) -> dict[str, Any]:
    return {
        "price": trade["price"],
        "qty": trade["qty"],
        "commission": trade["commission"],
        "commissionAsset": trade["commissionAsset"],
        "tradeId": trade["id"],
    }


def _error(code: int, message: str, status: int = 400) -> web.Response:
    return web.json_response({"code": code, "msg": message}, status=status)


def _now_ms() -> int:
    return int(time.time() * 1000)


def _market_info() -> dict[str, Any]:
    return {
        "symbol": SYMBOL,
        "status": "TRADING",
        "baseAsset": "BTC",
        "baseAssetPrecision": 8,
        "quoteAsset": "USDT",
        "quotePrecision": 8,
        "quoteAssetPrecision": 8,
        "orderTypes": ["LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS", "STOP_LOSS_LIMIT"],
        "icebergAllowed": True,
        "ocoAllowed": True,
        "isSpotTradingAllowed": True,
        "isMarginTradingAllowed": False,
        "permissions": ["SPOT"],
        "filters": [
            {
                "filterType": "PRICE_FILTER",
                "minPrice": "0.01",
                "maxPrice": "1000000.00",
                "tickSize": "0.01",
            },
            {
                "filterType": "LOT_SIZE",
                "minQty": "0.00001",
                "maxQty": "9000",
                "stepSize": "0.00001",
            },
        ],
    }
