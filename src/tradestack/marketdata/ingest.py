"""Put bars into storage: synthetic backfill up to now, and CSV imports, both idempotent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from tradestack.domain.timeframes import Timeframe
from tradestack.marketdata.pipeline import Progress, import_file
from tradestack.marketdata.synthetic import SyntheticMarket
from tradestack.storage.database import Database
from tradestack.storage.repositories.bars import count_bars, insert_bars, recent_bars


@dataclass(frozen=True, slots=True)
class IngestResult:
    symbol: str
    timeframe: str
    received: int
    stored: int
    total: int


CHUNK_BARS = 10_000
"""Bars generated and committed per transaction: small enough that Ctrl-C lands within ~0.5 s."""


async def backfill_synthetic(
    db: Database,
    market: SyntheticMarket,
    *,
    symbol: str,
    timeframe: str,
    history_bars: int,
    now: datetime | None = None,
    progress: Progress | None = None,
    committed: list[int] | None = None,
    chunk_bars: int = CHUNK_BARS,
) -> IngestResult:
    """Make sure ``history_bars`` bars up to ``now`` exist, continuing from the last stored bar.

    A series that already reaches past ``now`` (the live replay runs ahead of
    the wall clock) is left as it is. Bars are generated and committed
    ``chunk_bars`` at a time, oldest first, so an interrupted backfill keeps a
    gap-free prefix that the next run continues; ``committed`` (a one-item
    list) holds the count of new bars committed so far, for the caller to
    report after a cancellation.
    """
    frame = Timeframe.parse(timeframe)
    end = frame.floor(now or datetime.now(UTC))
    async with db.read() as connection:
        last = await recent_bars(connection, symbol, timeframe, limit=1)
    if last:
        start = last[0].ts + frame.delta
        count = max(0, int((end - start).total_seconds() // frame.seconds))
        previous_close: float | None = last[0].close
    else:
        start = end - frame.delta * history_bars
        count = history_bars
        previous_close = None
    done = committed if committed is not None else [0]
    if progress is not None:
        progress.begin(count, f"{symbol} {timeframe}")
    generated = 0
    while generated < count:
        size = min(chunk_bars, count - generated)
        chunk = market.bars(
            symbol, timeframe, start + frame.delta * generated, size, previous_close=previous_close
        )
        async with db.transaction() as connection:
            done[0] += await insert_bars(connection, chunk, source="synthetic")
        generated += size
        previous_close = chunk[-1].close
        if progress is not None:
            progress.advance(size)
    async with db.read() as connection:
        total = await count_bars(connection, symbol, timeframe)
    return IngestResult(symbol, timeframe, count, done[0], total)


async def import_csv(db: Database, path: Path, *, symbol: str, timeframe: str) -> IngestResult:
    """Import a CSV file in one transaction: a bad row means nothing is stored.

    The streaming ``pipeline.import_file`` does the work (it also takes Parquet).
    """
    report = await import_file(db, path, symbol=symbol, timeframe=timeframe)
    async with db.read() as connection:
        total = await count_bars(connection, symbol, timeframe)
    return IngestResult(symbol, timeframe, report.received, report.stored, total)
