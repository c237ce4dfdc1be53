"""The ingest pipeline on both engines: resume, no duplicates, rejects, gaps, file imports."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import BACKENDS
from tests.fakes.binance import FakeBinance
from tradestack.domain.bar_frame import BarFrame
from tradestack.errors import DataImportError, ProviderUnavailableError
from tradestack.marketdata.calendars import parse_calendar
from tradestack.marketdata.pipeline import backfill, fill_gaps, import_file, series_gaps
from tradestack.marketdata.providers.ccxt_provider import CcxtProvider
from tradestack.marketdata.providers.files import FileOptions
from tradestack.marketdata.providers.synthetic import SyntheticProvider
from tradestack.storage.database import Database
from tradestack.storage.repositories.bar_frames import read_frame
from tradestack.storage.repositories.bars import count_bars
from tradestack.storage.repositories.ingest import load_ingest_state

pytestmark = pytest.mark.parametrize("empty_database_url", BACKENDS, indirect=True)
START = datetime(2024, 1, 1, tzinfo=UTC)


class Recording(SyntheticProvider):
    """The synthetic provider, remembering each range asked for; can fail or hand out bad bars."""

    def __init__(self, *, fail_after_pages: int | None = None, corrupt: bool = False) -> None:
        super().__init__(page_bars=100)
        self.asked: list[tuple[datetime | None, datetime | None]] = []
        self.fail_after_pages = fail_after_pages
        self.corrupt = corrupt

    async def history(  # type: ignore[override]
        self, symbol: str, timeframe: str, *, start: datetime | None, end: datetime | None
    ) -> AsyncIterator[BarFrame]:
        self.asked.append((start, end))
        pages = 0
        async for page in super().history(symbol, timeframe, start=start, end=end):
            if self.fail_after_pages is not None and pages == self.fail_after_pages:
                raise ProviderUnavailableError("exchange went away")
            if self.corrupt:
                page.high[:3] = page.low[:3] - 1  # three bars with high below low
                page.volume[5] = -1
            pages += 1
            yield page


async def stored(db: Database) -> BarFrame:
    async with db.read() as connection:
        return await read_frame(connection, "BTC/USDT", "1m")


async def test_backfill_resumes_and_never_duplicates(database: Database) -> None:
    provider = Recording()
    first = await backfill(
        database,
        provider,
        symbol="BTC/USDT",
        timeframe="1m",
        start=START,
        end=START + timedelta(minutes=250),
    )
    assert (first.received, first.stored, first.pages) == (250, 250, 3)
    again = await backfill(
        database,
        provider,
        symbol="BTC/USDT",
        timeframe="1m",
        start=START,
        end=START + timedelta(minutes=250),
    )
    assert again.received == 0 and len(provider.asked) == 1
    more = await backfill(
        database,
        provider,
        symbol="BTC/USDT",
        timeframe="1m",
        start=START - timedelta(minutes=20),
        end=START + timedelta(minutes=300),
    )
    assert provider.asked[1:] == [
        (START - timedelta(minutes=20), START),
        (START + timedelta(minutes=250), START + timedelta(minutes=300)),
    ]
    assert more.stored == 70
    bars = await stored(database)
    assert len(bars) == 320 and len(np.unique(bars.ts)) == 320
    async with database.read() as connection:
        state = await load_ingest_state(connection, "BTC/USDT", "1m", "synthetic")
    assert state is not None and state.complete and state.stored_total == 320


async def test_an_interrupted_backfill_keeps_its_pages_and_resumes(database: Database) -> None:
    end = START + timedelta(minutes=500)
    with pytest.raises(ProviderUnavailableError):
        await backfill(
            database,
            Recording(fail_after_pages=2),
            symbol="BTC/USDT",
            timeframe="1m",
            start=START,
            end=end,
        )
    async with database.read() as connection:
        state = await load_ingest_state(connection, "BTC/USDT", "1m", "synthetic")
        assert await count_bars(connection, "BTC/USDT", "1m") == 200
    assert state is not None and not state.complete and "went away" in (state.last_error or "")
    provider = Recording()
    report = await backfill(
        database, provider, symbol="BTC/USDT", timeframe="1m", start=START, end=end
    )
    assert provider.asked == [(START + timedelta(minutes=200), end)] and report.stored == 300


async def test_bad_bars_are_rejected_counted_and_logged(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    report = await backfill(
        database,
        Recording(corrupt=True),
        symbol="BTC/USDT",
        timeframe="1m",
        start=START,
        end=START + timedelta(minutes=200),
    )
    assert report.rejected == {"high below open, close or low": 6, "negative volume": 2}
    assert report.stored == 192
    assert "rejected 3 high below open, close or low, 1 negative volume" in caplog.text
    async with database.read() as connection:
        state = await load_ingest_state(connection, "BTC/USDT", "1m", "synthetic")
    assert state is not None and state.rejected_total == 8
    assert state.last_rejects == {"high below open, close or low": 6, "negative volume": 2}


async def test_gaps_are_found_and_only_they_are_fetched(database: Database, tmp_path: Path) -> None:
    minutes = [m for m in range(120) if not 30 <= m < 40 and m != 77]
    path = tmp_path / "holes.csv"
    path.write_text(
        "timestamp,open,high,low,close,volume\n"
        + "".join(f"{int(START.timestamp()) + 60 * m},1,2,0.5,1.5,1\n" for m in minutes)
    )
    await import_file(database, path, symbol="BTC/USDT", timeframe="1m")
    calendar = parse_calendar("24/7")
    gaps = await series_gaps(database, "BTC/USDT", "1m", calendar)
    assert gaps.missing.tolist() == [10, 1]
    provider = Recording()
    report = await fill_gaps(
        database, provider, symbol="BTC/USDT", timeframe="1m", calendar=calendar
    )
    assert provider.asked == [
        (START + timedelta(minutes=30), START + timedelta(minutes=40)),
        (START + timedelta(minutes=77), START + timedelta(minutes=78)),
    ]
    assert report.stored == 11 and report.gaps_after is not None and len(report.gaps_after) == 0


async def test_a_bad_row_late_in_a_big_file_stores_nothing(
    database: Database, tmp_path: Path
) -> None:
    path = tmp_path / "big.csv"
    rows = [f"{int(START.timestamp()) + 60 * m},1,2,0.5,1.5,1\n" for m in range(5000)]
    rows[4321] = rows[4321].replace(",2,", ",0.1,")
    path.write_text("timestamp,open,high,low,close,volume\n" + "".join(rows))
    with pytest.raises(DataImportError, match="line 4323: high 0.1 is below"):
        await import_file(
            database, path, symbol="BTC/USDT", timeframe="1m", options=FileOptions(chunk_rows=1000)
        )
    async with database.read() as connection:
        assert await count_bars(connection, "BTC/USDT", "1m") == 0
        assert await load_ingest_state(connection, "BTC/USDT", "1m", "file:big.csv") is None


async def test_ccxt_backfill_then_fill_gaps_end_to_end(database: Database) -> None:
    now = int(time.time()) // 60 * 60
    fake = await FakeBinance(
        listed_s=now - 1500 * 60, missing={now - 1000 * 60, now - 999 * 60}
    ).start()
    provider = CcxtProvider(
        "binance", api_url=fake.url, options={"fetchMarkets": {"types": ["spot"]}}
    )
    try:
        listed = datetime.fromtimestamp(fake.listed_s, tz=UTC)
        report = await backfill(database, provider, symbol="BTC/USDT", timeframe="1m", start=listed)
        assert report.stored == 1498 and report.rejected_total == 0
        calendar = parse_calendar("24/7")
        fake.missing.clear()
        filled = await fill_gaps(
            database, provider, symbol="BTC/USDT", timeframe="1m", calendar=calendar
        )
        assert filled.stored == 2 and filled.gaps_after is not None and not len(filled.gaps_after)
    finally:
        await provider.close()
        await fake.stop()
    async with database.read() as connection:
        state = await load_ingest_state(connection, "BTC/USDT", "1m", "ccxt:binance")
    assert state is not None and state.complete


async def test_a_parquet_file_imports_through_the_pipeline(
    database: Database, tmp_path: Path
) -> None:
    path = tmp_path / "ok.parquet"
    import pandas as pd

    pd.DataFrame(
        {
            "timestamp": [int(START.timestamp())],
            "open": [1.0],
            "high": [2.0],
            "low": [0.5],
            "close": [1.5],
            "volume": [1.0],
        }
    ).to_parquet(path)
    report = await import_file(database, path, symbol="BTC/USDT", timeframe="1m")
    assert report.stored == 1 and report.rejected_total == 0
