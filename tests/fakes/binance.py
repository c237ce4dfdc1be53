"""A local HTTP server that answers like Binance's spot REST API (exchangeInfo and klines).

ccxt's real ``binance`` class talks to it once its API URLs are rebased onto
this server, so the ccxt provider is tested without the internet. The server
can answer the next requests with HTTP 429 and records what it was asked.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

MARKETS = {"BTCUSDT": ("BTC", "USDT"), "ETHUSDT": ("ETH", "USDT")}
_INTERVALS = {"1m": 60, "5m": 300, "1h": 3600, "1d": 86400}


@dataclass
class FakeBinance:
    """Bars exist from ``listed_s`` until the current minute (whose bar is still open)."""

    listed_s: int
    rate_limited_requests: int = 0
    retry_after_s: float = 0.05
    requests: list[dict[str, Any]] = field(default_factory=list)
    request_times: list[float] = field(default_factory=list)
    missing: set[int] = field(default_factory=set)
    url: str = ""
    _runner: web.AppRunner | None = None

    async def start(self) -> FakeBinance:
        app = web.Application()
        app.router.add_get("/api/v3/exchangeInfo", self._exchange_info)
        app.router.add_get("/api/v3/klines", self._klines)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def kline_requests(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["path"].endswith("/klines")]

    async def _exchange_info(self, request: web.Request) -> web.Response:
        self._record(request)
        symbols = [
            {
                "symbol": market_id,
                "status": "TRADING",
                "baseAsset": base,
                "baseAssetPrecision": 8,
                "quoteAsset": quote,
                "quotePrecision": 8,
                "quoteAssetPrecision": 8,
                "orderTypes": ["LIMIT", "MARKET"],
                "isSpotTradingAllowed": True,
                "isMarginTradingAllowed": False,
                "permissions": ["SPOT"],
                "filters": [
                    {
                        "filterType": "PRICE_FILTER",
                        "minPrice": "0.01",
                        "maxPrice": "1000000",
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
            for market_id, (base, quote) in MARKETS.items()
        ]
        return web.json_response(
            {
                "timezone": "UTC",
                "serverTime": int(time.time() * 1000),
                "rateLimits": [],
                "exchangeFilters": [],
                "symbols": symbols,
            }
        )

    async def _klines(self, request: web.Request) -> web.Response:
        self._record(request)
        if self.rate_limited_requests > 0:
            self.rate_limited_requests -= 1
            return web.json_response(
                {
                    "code": -1003,
                    "msg": "Too many requests; current limit is 1200 weight per minute.",
                },
                status=429,
                headers={"Retry-After": str(self.retry_after_s)},
            )
        query = request.query
        if query.get("symbol") not in MARKETS:
            return web.json_response({"code": -1121, "msg": "Invalid symbol."}, status=400)
        step = _INTERVALS[query["interval"]]
        limit = int(query.get("limit", 500))
        start_ms = int(query.get("startTime", self.listed_s * 1000))
        first = max(self.listed_s, -(-start_ms // 1000 // step) * step)
        now = int(time.time())
        rows: list[list[Any]] = []
        candidates = (t for t in range(first, now + 1, step) if t not in self.missing)
        opens = list(itertools.islice(candidates, limit))
        for t in opens:
            o = 100 + (t // step % 100) / 10
            c, h, lo, v = o + 0.05, o + 0.15, o - 0.1, 5.0 + t % 7
            rows.append(
                [
                    t * 1000,
                    f"{o:.2f}",
                    f"{h:.2f}",
                    f"{lo:.2f}",
                    f"{c:.2f}",
                    f"{v:.5f}",
                    t * 1000 + step * 1000 - 1,
                    "0",
                    10,
                    "0",
                    "0",
                    "0",
                ]
            )
        return web.json_response(rows)

    def _record(self, request: web.Request) -> None:
        self.request_times.append(time.monotonic())
        self.requests.append(
            {"path": request.path, "query": dict(request.query), "headers": dict(request.headers)}
        )
