"""The live feed: gated on backfill, forced open with a logged reason, publishes market.bar."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

import pytest

from tradestack.bus.memory import InMemoryBus
from tradestack.domain.events import Event
from tradestack.marketdata.live import BackfillGate, LiveFeed
from tradestack.marketdata.pipeline import backfill
from tradestack.marketdata.providers.synthetic import SyntheticProvider
from tradestack.storage.database import Database
from tradestack.storage.repositories.bars import bars_between, count_bars

SERIES = [("BTC/USDT", "1m"), ("ETH/USDT", "1m")]


async def history(db: Database, symbol: str) -> None:
    now = datetime.now(UTC)
    await backfill(
        db,
        SyntheticProvider(),
        symbol=symbol,
        timeframe="1m",
        start=now - timedelta(minutes=30),
        end=now,
    )


class Seen(list[Event]):
    """Events received; ``symbols`` is set once bars of every series arrived."""

    def __init__(self) -> None:
        super().__init__()
        self.first = asyncio.Event()
        self.symbols = asyncio.Event()


async def started_feed(db: Database, **kwargs: object) -> tuple[LiveFeed, InMemoryBus, Seen]:
    bus = InMemoryBus()
    seen = Seen()

    async def collect(event: Event) -> None:
        seen.append(event)
        seen.first.set()
        if len({e.payload["bar"].symbol for e in seen}) == len(SERIES):
            seen.symbols.set()

    bus.subscribe("market.bar", collect)
    await bus.start()
    feed = LiveFeed(
        db=db,
        bus=bus,
        provider=SyntheticProvider(interval_s=0.01),
        series=SERIES,
        gate=BackfillGate(db, SERIES, poll_s=0.02),
        **kwargs,
    )  # type: ignore[arg-type]
    await feed.start()
    return feed, bus, seen


async def test_feed_waits_for_every_series_backfill_then_publishes(database: Database) -> None:
    await history(database, "BTC/USDT")
    feed, bus, seen = await started_feed(database)
    try:
        await asyncio.sleep(0.15)
        assert not feed.opened.is_set() and seen == []
        await history(database, "ETH/USDT")
        await asyncio.wait_for(feed.opened.wait(), 2)
        await asyncio.wait_for(seen.symbols.wait(), 2)
    finally:
        await feed.stop()
        await bus.close()
    bar = seen[0].payload["bar"]
    async with database.read() as connection:
        stored = await bars_between(connection, bar.symbol, "1m", start=bar.ts)
    assert stored[0] == bar  # stored before it was published
    assert seen[0].event_type == "market.bar"


async def test_force_start_opens_the_gate_and_logs_why(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    feed, bus, seen = await started_feed(database, force_reason="exchange maintenance drill")
    try:
        await asyncio.wait_for(feed.opened.wait(), 2)
        await asyncio.wait_for(seen.first.wait(), 2)
    finally:
        await feed.stop()
        await bus.close()
    assert "force-started (exchange maintenance drill)" in caplog.text
    assert "BTC/USDT 1m, ETH/USDT 1m" in caplog.text


async def test_gate_timeout(database: Database) -> None:
    with pytest.raises(TimeoutError):
        await BackfillGate(database, SERIES, poll_s=0.01).wait(timeout_s=0.05)


async def stored_count(db: Database) -> int:
    async with db.read() as connection:
        return sum([await count_bars(connection, s, t) for s, t in SERIES])


async def test_bars_counter_counts_from_storage_across_runs(database: Database) -> None:
    await history(database, "BTC/USDT")
    await history(database, "ETH/USDT")
    before = await stored_count(database)
    for _run in range(2):  # a restart continues the count, it does not start from zero
        feed, bus, seen = await started_feed(database)
        try:
            await asyncio.wait_for(seen.symbols.wait(), 2)
        finally:
            await feed.stop()
            await bus.close()
        assert feed.bars_stored == await stored_count(database) > before
        assert feed.bars_published < feed.bars_stored
