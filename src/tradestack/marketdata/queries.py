"""Read-side market data for the API and the CLI."""

from __future__ import annotations

from tradestack.domain.market import Bar
from tradestack.domain.timeframes import Timeframe
from tradestack.marketdata import recent
from tradestack.storage.database import Database
from tradestack.storage.repositories.bars import recent_bars


async def candlesticks(db: Database, symbol: str, *, timeframe: str, limit: int) -> list[Bar]:
    """Return the newest ``limit`` bars, oldest first; raise ValueError for a bad timeframe."""
    Timeframe.parse(timeframe)
    cache = recent.cache_of(db)
    if cache is not None:
        return await cache.newest(db, symbol, timeframe, limit)
    async with db.read() as connection:
        return await recent_bars(connection, symbol, timeframe, limit=limit)
