"""A synthetic backfill commits chunk by chunk, oldest first, and reports each chunk as progress."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tradestack.marketdata.ingest import backfill_synthetic
from tradestack.marketdata.synthetic import SyntheticMarket
from tradestack.storage import migrations
from tradestack.storage.database import Database
from tradestack.storage.repositories.bars import count_bars, recent_bars

NOW = datetime(2026, 6, 1, tzinfo=UTC)


class _Recorder:
    def __init__(self) -> None:
        self.totals: list[int] = []
        self.advances: list[int] = []

    def begin(self, total: int, description: str) -> None:
        self.totals.append(total)

    def advance(self, count: int) -> None:
        self.advances.append(count)


async def test_backfill_reports_each_committed_chunk(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'bars.db'}")
    await migrations.upgrade(db.engine)
    progress, committed = _Recorder(), [0]
    try:
        result = await backfill_synthetic(
            db,
            SyntheticMarket(seed=3),
            symbol="ETH/USDT",
            timeframe="1m",
            history_bars=2_500,
            now=NOW,
            progress=progress,
            committed=committed,
            chunk_bars=1_000,
        )
        async with db.read() as connection:
            stored = await count_bars(connection, "ETH/USDT", "1m")
            newest = await recent_bars(connection, "ETH/USDT", "1m", limit=1)
    finally:
        await db.dispose()
    assert progress.totals == [2_500] and progress.advances == [1_000, 1_000, 500]
    assert committed == [2_500] and result.stored == stored == 2_500
    assert newest[0].ts == datetime(2026, 5, 31, 23, 59, tzinfo=UTC)
