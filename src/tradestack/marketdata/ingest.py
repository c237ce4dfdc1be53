"""Put bars into storage: synthetic backfill up to now, and CSV imports, both idempotent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from tradestack.domain.timeframes import Timeframe
from tradestack.marketdata.pipeline import import_file
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


async def backfill_synthetic(
    db: Database,
    market: SyntheticMarket,
    *,
    symbol: str,
    timeframe: str,
    history_bars: int,
    now: datetime | None = None,
) -> IngestResult:
    """Make sure ``history_bars`` bars up to ``now`` exist, continuing from the last stored bar.

    A series that already reaches past ``now`` (the live replay runs ahead of
    the wall clock) is left as it is.
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
    bars = (
        market.bars(symbol, timeframe, start, count, previous_close=previous_close) if count else []
    )
    async with db.transaction() as connection:
        stored = await insert_bars(connection, bars, source="synthetic")
        total = await count_bars(connection, symbol, timeframe)
    return IngestResult(symbol, timeframe, len(bars), stored, total)


async def import_csv(db: Database, path: Path, *, symbol: str, timeframe: str) -> IngestResult:
    """Import a CSV file in one transaction: a bad row means nothing is stored.

    The streaming ``pipeline.import_file`` does the work (it also takes Parquet).
    """
    report = await import_file(db, path, symbol=symbol, timeframe=timeframe)
    async with db.read() as connection:
        total = await count_bars(connection, symbol, timeframe)
    return IngestResult(symbol, timeframe, report.received, report.stored, total)
