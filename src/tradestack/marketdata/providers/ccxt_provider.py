"""The ccxt adapter of the provider port: OHLCV of any ccxt exchange, paged from a start date.

The only module of ``marketdata`` that imports ccxt. It keeps ccxt's own rate
limiter on (one limiter shared by every key, since exchanges limit per IP),
pages ``fetch_ohlcv`` forward from the start date, yields only closed bars,
and translates ccxt's exceptions into ours: an unknown symbol is
``UnknownSymbolError``, an unreachable exchange ``ProviderUnavailableError``
after retries, a 429 rests the key in the ``KeyPool`` and retries on another.
``api_url`` points the exchange's REST endpoints at another origin (a proxy,
a mirror, or the local server the tests run).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit

import ccxt.async_support as ccxt_async
import numpy as np
from ccxt.base import errors as ccxt_errors

from tradestack.domain.bar_frame import BarFrame
from tradestack.domain.market import Bar
from tradestack.domain.timeframes import Timeframe
from tradestack.errors import (
    ProviderError,
    ProviderUnavailableError,
    RateLimitedError,
    UnknownSymbolError,
)
from tradestack.marketdata.keypool import ApiKey, KeyPool, RedactingFilter

log = logging.getLogger(__name__)
T = TypeVar("T")


class CcxtProvider:
    """History and polled live bars from one ccxt exchange."""

    def __init__(
        self,
        exchange_id: str,
        *,
        keys: KeyPool | None = None,
        key_group: str | None = None,
        api_url: str | None = None,
        options: Mapping[str, Any] | None = None,
        rate_limit_ms: float | None = None,
        page_limit: int = 1000,
        max_attempts: int = 5,
        retry_delay_s: float = 1.0,
        poll_interval_s: float = 5.0,
    ) -> None:
        if exchange_id not in ccxt_async.exchanges:
            raise ProviderError(f"unknown ccxt exchange {exchange_id!r}")
        self.exchange_id = exchange_id
        self.source = f"ccxt:{exchange_id}"[:32]
        self.keys = keys
        self.key_group = key_group
        self.api_url = api_url
        self.options = dict(options or {})
        self.rate_limit_ms = rate_limit_ms
        self.page_limit = page_limit
        self.max_attempts = max_attempts
        self.retry_delay_s = retry_delay_s
        self.poll_interval_s = poll_interval_s
        self.requests = 0
        self._exchanges: dict[str, Any] = {}
        self._markets_loaded = False

    async def history(
        self, symbol: str, timeframe: str, *, start: datetime | None, end: datetime | None
    ) -> AsyncIterator[BarFrame]:
        frame = Timeframe.parse(timeframe)
        if start is None:
            raise ProviderError(f"{self.source} needs a start date to page history from")
        await self._check_series(symbol, frame)
        step_ms = frame.seconds * 1000
        since = -(-int(start.timestamp() * 1000) // step_ms) * step_ms
        stop = int((end or datetime.now(UTC)).timestamp() * 1000)
        while since < min(stop, int(time.time() * 1000) - step_ms + 1):  # a bar there has closed
            rows = await self._call(
                lambda ex, s=since: ex.fetch_ohlcv(
                    symbol, frame.label, since=s, limit=self.page_limit
                )
            )
            page = self._closed_page(symbol, frame, rows, since, stop)
            if not len(page):
                return
            yield page
            since = int(page.ts[-1]) * 1000 + step_ms

    async def live(
        self, symbol: str, timeframe: str, *, after: datetime, last_close: float | None = None
    ) -> AsyncIterator[Bar]:
        """Poll for bars that closed since ``after``; ``last_close`` is not needed here."""
        frame = Timeframe.parse(timeframe)
        cursor = after
        while True:
            async for page in self.history(
                symbol, frame.label, start=cursor + frame.delta, end=None
            ):
                for bar in page.to_bars():
                    yield bar
                    cursor = bar.ts
            await asyncio.sleep(self.poll_interval_s)

    async def close(self) -> None:
        for exchange in self._exchanges.values():
            await exchange.close()
        self._exchanges.clear()

    def _closed_page(
        self, symbol: str, frame: Timeframe, rows: list[list[Any]], since: int, stop: int
    ) -> BarFrame:
        if not rows:
            return BarFrame.empty(symbol, frame.label)
        data = np.asarray([row[:6] for row in rows], dtype=np.float64)
        opens_ms = data[:, 0].astype(np.int64)
        closed_by = int(time.time() * 1000)
        keep = (
            (opens_ms >= since) & (opens_ms < stop) & (opens_ms + frame.seconds * 1000 <= closed_by)
        )
        data, opens_ms = data[keep], opens_ms[keep]
        order = np.argsort(opens_ms, kind="stable")
        return BarFrame.from_arrays(
            symbol, frame.label, opens_ms[order] // 1000, *(data[order, i] for i in range(1, 6))
        )

    async def _check_series(self, symbol: str, frame: Timeframe) -> None:
        exchange = await self._call(self._load_markets)
        if not exchange.has.get("fetchOHLCV"):
            raise ProviderError(f"{self.exchange_id} does not offer OHLCV through ccxt")
        if symbol not in exchange.markets:
            raise UnknownSymbolError(f"{self.exchange_id} has no market {symbol!r}")
        if exchange.timeframes and frame.label not in exchange.timeframes:
            offered = ", ".join(exchange.timeframes)
            raise UnknownSymbolError(
                f"{self.exchange_id} has no {frame.label} bars (offers {offered})"
            )

    async def _load_markets(self, exchange: Any) -> Any:
        if not self._markets_loaded:
            await exchange.load_markets()
            self._markets_loaded = True
            for other in self._exchanges.values():
                if other is not exchange:
                    other.set_markets(list(exchange.markets.values()), exchange.currencies)
        return exchange

    async def _call(self, request: Callable[[Any], Awaitable[T]]) -> T:
        """Run ``request`` with a key from the pool, retrying rate limits and network errors."""
        last_error = ""
        for attempt in range(1, self.max_attempts + 1):
            key = await self.keys.acquire(self.key_group) if self.keys else None
            exchange = self._exchange(key)
            try:
                self.requests += 1
                return await request(exchange)
            except ccxt_errors.BadSymbol as error:
                raise UnknownSymbolError(self._describe(error)) from None
            except ccxt_errors.AuthenticationError as error:
                if key is not None and self.keys is not None:
                    self.keys.failed(key, "authentication failed")
                label = key.label if key else "(none)"
                raise ProviderError(
                    f"{self.exchange_id} rejected API key {label}: {self._describe(error)}"
                ) from None
            except (ccxt_errors.RateLimitExceeded, ccxt_errors.DDoSProtection) as error:
                last_error = self._describe(error)
                wait = _retry_after(exchange) or self.retry_delay_s * 2 ** (attempt - 1)
                if key is not None and self.keys is not None:
                    self.keys.rest(key, wait, f"{self.exchange_id} rate limit")
                else:
                    log.warning("%s rate limited; retrying in %.1f s", self.exchange_id, wait)
                    await asyncio.sleep(wait)
            except ccxt_errors.NetworkError as error:
                last_error = self._describe(error)
                if key is not None and self.keys is not None:
                    self.keys.failed(key, "network error")
                log.warning("%s attempt %d failed: %s", self.exchange_id, attempt, last_error)
                await asyncio.sleep(self.retry_delay_s * 2 ** (attempt - 1))
            except ccxt_errors.BaseError as error:
                raise ProviderError(f"{self.exchange_id}: {self._describe(error)}") from None
        if "rate limit" in last_error.lower() or "429" in last_error:
            raise RateLimitedError(
                f"{self.exchange_id} still rate limited after {self.max_attempts} attempts"
            )
        raise ProviderUnavailableError(
            f"{self.exchange_id} unreachable after {self.max_attempts} attempts: {last_error}"
        )

    def _exchange(self, key: ApiKey | None) -> Any:
        name = key.label if key else ""
        exchange = self._exchanges.get(name)
        if exchange is not None:
            return exchange
        config: dict[str, Any] = {"enableRateLimit": True, "options": dict(self.options)}
        if key is not None:
            config["apiKey"] = key.reveal()
        if self.rate_limit_ms is not None:
            config["rateLimit"] = self.rate_limit_ms
        exchange = getattr(ccxt_async, self.exchange_id)(config)
        if self.api_url:
            exchange.urls["api"] = _rebase(exchange.urls["api"], self.api_url)
        if self._exchanges:
            shared = next(iter(self._exchanges.values()))
            exchange.throttler = shared.throttler  # the exchange limits the IP, not the key
            if self._markets_loaded:
                exchange.set_markets(list(shared.markets.values()), shared.currencies)
        if self.keys is not None and not any(
            isinstance(f, RedactingFilter) and f.pool is self.keys for f in exchange.logger.filters
        ):
            exchange.logger.addFilter(RedactingFilter(self.keys))
        self._exchanges[name] = exchange
        return exchange

    def _describe(self, error: Exception) -> str:
        text = " ".join(str(error).split())
        if self.keys is not None:
            text = self.keys.redact(text)
        return text[:300]


def _retry_after(exchange: Any) -> float | None:
    headers = getattr(exchange, "last_response_headers", None) or {}
    for name, value in headers.items():
        if name.lower() == "retry-after":
            try:
                return float(value)
            except ValueError:
                return None
    return None


def _rebase(urls: Any, origin: str) -> Any:
    """Replace the scheme and host of every URL in ccxt's ``urls['api']`` with ``origin``."""
    if isinstance(urls, str):
        parts = urlsplit(urls)
        return origin.rstrip("/") + parts.path + (f"?{parts.query}" if parts.query else "")
    if isinstance(urls, dict):
        return {name: _rebase(value, origin) for name, value in urls.items()}
    return urls
