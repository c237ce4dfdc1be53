"""The ccxt provider with ccxt's real binance class against a local Binance-format server."""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from tests.fakes.binance import FakeBinance
from tradestack.domain.bar_frame import BarFrame
from tradestack.errors import ProviderUnavailableError, UnknownSymbolError
from tradestack.marketdata.keypool import KeyPool
from tradestack.marketdata.providers.ccxt_provider import CcxtProvider

SPOT_ONLY = {"fetchMarkets": {"types": ["spot"]}}
KEYS = {"g1": ["k1-SECRET-aaaaaaaaaaaa", "k2-SECRET-bbbbbbbbbbbb"], "g2": ["k3-SECRET-cccccccccc"]}


def minute_now() -> int:
    return int(time.time()) // 60 * 60


@pytest.fixture
async def server() -> AsyncIterator[FakeBinance]:
    fake = await FakeBinance(listed_s=minute_now() - 2500 * 60).start()
    yield fake
    await fake.stop()


def provider(server: FakeBinance, **kwargs: object) -> CcxtProvider:
    return CcxtProvider(
        "binance",
        api_url=server.url,
        options=SPOT_ONLY,
        page_limit=1000,
        retry_delay_s=0.01,
        **kwargs,  # type: ignore[arg-type]
    )


async def collect(source: CcxtProvider, start: datetime, end: datetime | None = None) -> BarFrame:
    pages = [p async for p in source.history("BTC/USDT", "1m", start=start, end=end)]
    return BarFrame.concat(pages)


async def test_pages_from_the_start_date_and_keeps_only_closed_bars(server: FakeBinance) -> None:
    source = provider(server)
    try:
        start = datetime.fromtimestamp(server.listed_s, tz=UTC)
        bars = await collect(source, start)
    finally:
        await source.close()
    assert bars.ts[0] == server.listed_s
    assert bars.ts[-1] < minute_now()  # the bar of the current minute is still open
    assert len(bars) == (minute_now() - server.listed_s) // 60
    assert all(b - a == 60 for a, b in itertools.pairwise(bars.ts.tolist()))
    starts = [int(r["query"]["startTime"]) for r in server.kline_requests]
    assert starts[0] == server.listed_s * 1000 and len(starts) == 3
    assert starts[1] == (server.listed_s + 1000 * 60) * 1000  # the next page starts after the last


async def test_an_end_date_bounds_the_range(server: FakeBinance) -> None:
    source = provider(server)
    start = datetime.fromtimestamp(server.listed_s, tz=UTC) + timedelta(minutes=10)
    try:
        bars = await collect(source, start, start + timedelta(minutes=30))
    finally:
        await source.close()
    assert len(bars) == 30 and bars.ts[0] == int(start.timestamp())
    assert len(server.kline_requests) == 1


async def test_the_exchange_rate_limit_spaces_requests(server: FakeBinance) -> None:
    # Binance prices a spot klines request at 0.4 of rateLimit: 150 ms -> 60 ms apart.
    source = provider(server, rate_limit_ms=150)
    try:
        await collect(source, datetime.fromtimestamp(server.listed_s, tz=UTC))
    finally:
        await source.close()
    gaps = [b - a for a, b in itertools.pairwise(server.request_times)]
    assert len(gaps) >= 3 and min(gaps) >= 0.055


async def test_429_rests_the_key_and_another_key_finishes_without_loss(
    server: FakeBinance, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    server.rate_limited_requests = 1
    server.retry_after_s = 30
    pool = KeyPool(KEYS)
    source = provider(server, keys=pool, key_group="g1")
    try:
        bars = await collect(source, datetime.fromtimestamp(server.listed_s, tz=UTC))
    finally:
        await source.close()
    assert len(bars) == (minute_now() - server.listed_s) // 60
    assert len(set(bars.ts.tolist())) == len(bars)
    usage = {u.label: u for u in pool.usage()}
    limited = [u for u in usage.values() if u.rate_limited]
    assert len(limited) == 1 and 0 < limited[0].resting_s <= 30  # rested for Retry-After
    assert usage["g2#1"].requests == 0  # only the configured group is used
    assert "rests" in caplog.text
    for secret in pool.secrets():
        assert secret not in caplog.text
        assert secret not in repr(pool.usage())


async def test_unknown_symbol_is_a_clear_error(server: FakeBinance) -> None:
    source = provider(server)
    try:
        with pytest.raises(UnknownSymbolError, match="no market 'NOPE/USDT'"):
            [p async for p in source.history("NOPE/USDT", "1m", start=datetime.now(UTC), end=None)]
    finally:
        await source.close()


async def test_unreachable_exchange_fails_after_retries() -> None:
    source = CcxtProvider(
        "binance",
        api_url="http://127.0.0.1:9",
        options=SPOT_ONLY,
        max_attempts=2,
        retry_delay_s=0.01,
    )
    try:
        with pytest.raises(ProviderUnavailableError, match="unreachable after 2 attempts"):
            [p async for p in source.history("BTC/USDT", "1m", start=datetime.now(UTC), end=None)]
    finally:
        await source.close()
