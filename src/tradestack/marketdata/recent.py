"""RecentBars: the newest bars of each series in memory, for the gateway's chart reads.

A chart asks for the newest 100-5,000 bars many times a second; reading them
from storage every time costs a database round trip per request. The gateway
enables this read-through cache for its database: a series is loaded from
storage on first use, then kept current by ``market.bar`` events (every live
bar is stored before it is published). Bars written without an event (a CSV
import, a backfill) show up within ``ttl_s``, when the series is reloaded.
"""

from __future__ import annotations

import time
import weakref
from collections import deque
from dataclasses import dataclass, field

from tradestack.domain.market import Bar
from tradestack.storage.database import Database
from tradestack.storage.repositories.bars import recent_bars

_caches: weakref.WeakKeyDictionary[Database, RecentBars] = weakref.WeakKeyDictionary()


@dataclass(slots=True)
class _Series:
    bars: deque[Bar]
    complete: bool
    """Storage holds no older bar than the first one here."""
    loaded_at: float = field(default_factory=time.monotonic)


class RecentBars:
    def __init__(self, *, capacity: int = 5_000, ttl_s: float = 5.0) -> None:
        self.capacity = capacity
        self.ttl_s = ttl_s
        self.hits = 0
        self.misses = 0
        self._series: dict[tuple[str, str], _Series] = {}

    async def newest(self, db: Database, symbol: str, timeframe: str, limit: int) -> list[Bar]:
        """Return the newest ``limit`` bars, oldest first, from memory when it has them."""
        key = (symbol, timeframe)
        series = self._series.get(key)
        fresh = series is not None and time.monotonic() - series.loaded_at < self.ttl_s
        if series is not None and fresh and (len(series.bars) >= limit or series.complete):
            self.hits += 1
            bars = series.bars
            return list(bars)[-limit:] if limit < len(bars) else list(bars)
        self.misses += 1
        wanted = min(max(limit, 1_000), self.capacity) if limit <= self.capacity else limit
        async with db.read() as connection:
            loaded = await recent_bars(connection, symbol, timeframe, limit=wanted)
        if limit <= self.capacity:
            self._series[key] = _Series(deque(loaded, maxlen=self.capacity), len(loaded) < wanted)
        return loaded[-limit:]

    def add(self, bar: Bar) -> None:
        """Take a bar just stored: append it, replace the last one, or forget the series."""
        key = (bar.symbol, bar.timeframe)
        series = self._series.get(key)
        if series is None:
            return
        bars = series.bars
        if not bars or bar.ts > bars[-1].ts:
            if len(bars) == bars.maxlen:
                series.complete = False
            bars.append(bar)
        elif bar.ts == bars[-1].ts:
            bars[-1] = bar
        else:
            del self._series[key]  # out of order: reload from storage on the next read


def enable(db: Database, cache: RecentBars) -> None:
    """Serve ``marketdata.queries.candlesticks`` for ``db`` from ``cache`` (the gateway does)."""
    _caches[db] = cache


def disable(db: Database) -> None:
    _caches.pop(db, None)


def cache_of(db: Database) -> RecentBars | None:
    return _caches.get(db)
