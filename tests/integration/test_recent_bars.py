"""The gateway's in-memory chart cache answers like storage and follows new and replaced bars."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tradestack.domain.market import Bar
from tradestack.marketdata import recent
from tradestack.marketdata.queries import candle_series, candlesticks
from tradestack.marketdata.synthetic import SyntheticMarket
from tradestack.storage.database import Database
from tradestack.storage.repositories.bars import insert_bars

START = datetime(2026, 1, 1, tzinfo=UTC)


async def test_cache_matches_storage_and_follows_bars(database: Database) -> None:
    history = SyntheticMarket(seed=3).bars("BTC/USDT", "1m", START, 1500)
    async with database.transaction() as connection:
        await insert_bars(connection, history, source="test")
    plain = await candle_series(database, "BTC/USDT", timeframe="1m", limit=100)
    cache = recent.RecentBars(capacity=1200)
    recent.enable(database, cache)
    try:
        cached = await candle_series(database, "BTC/USDT", timeframe="1m", limit=100)
        assert cached.frame.to_bars() == plain.frame.to_bars() == history[-100:]
        assert (cached.indicators, cached.archived) == ({}, 0)
        cache.misses = cache.hits = 0
        assert await candlesticks(database, "BTC/USDT", timeframe="1m", limit=100) == history[-100:]
        assert await candlesticks(database, "BTC/USDT", timeframe="1m", limit=50) == history[-50:]
        assert (cache.misses, cache.hits) == (0, 2)  # loaded once, by the first read
        # More than the cache holds: read from storage, nothing cached for it.
        assert (
            await candlesticks(database, "BTC/USDT", timeframe="1m", limit=1400) == history[-1400:]
        )

        nxt = Bar("BTC/USDT", "1m", history[-1].ts + timedelta(minutes=1), 1, 2, 0.5, 1.5, 3)
        cache.add(nxt)
        assert (await candlesticks(database, "BTC/USDT", timeframe="1m", limit=2))[-1] == nxt
        replaced = Bar("BTC/USDT", "1m", nxt.ts, 1, 3, 0.5, 2.5, 4)
        cache.add(replaced)
        assert (await candlesticks(database, "BTC/USDT", timeframe="1m", limit=1)) == [replaced]
        cache.add(history[0])  # out of order: the series is dropped and read again
        assert await candlesticks(database, "BTC/USDT", timeframe="1m", limit=3) == history[-3:]
        assert await candlesticks(database, "ETH/USDT", timeframe="1m", limit=3) == []
    finally:
        recent.disable(database)
    assert recent.cache_of(database) is None
