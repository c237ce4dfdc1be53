"""The ingest pipeline: provider pages -> quality checks -> storage, incremental and resumable.

Backfills are tracked per (symbol, timeframe, source) in ``ingest_state``: a
new run starts after the last bar the previous one stored (and before its
first, if asked for older history), so an interrupted run resumes and a
repeated one fetches nothing twice. Each page is quality-checked; accepted
bars are stored together with the updated state in one transaction, so a
crash loses at most the page in flight, and the unique key keeps duplicates
out whatever happens. Rejected bars are counted by reason, logged and kept in
the state, never dropped silently. ``fill_gaps`` asks the provider only for
the ranges the calendar says are missing.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from tradestack.domain.bar_frame import BarFrame
from tradestack.domain.timeframes import Timeframe
from tradestack.marketdata.calendars import TradingCalendar
from tradestack.marketdata.gaps import GapReport, find_gaps
from tradestack.marketdata.providers.files import FileOptions, read_bar_file
from tradestack.marketdata.providers.port import HistoryProvider
from tradestack.marketdata.quality import check_frame
from tradestack.marketdata.resample import resample
from tradestack.storage.database import Database
from tradestack.storage.repositories.bar_frames import insert_frame, read_frame, read_times
from tradestack.storage.repositories.ingest import (
    IngestState,
    load_ingest_state,
    save_ingest_state,
)

log = logging.getLogger(__name__)


class Progress(Protocol):
    """What long work reports to a progress bar (the CLI's Rich progress, or nothing)."""

    def begin(self, total: int, description: str) -> None: ...

    def advance(self, count: int) -> None: ...


class _Silent:
    def begin(self, total: int, description: str) -> None:
        """Report nothing."""

    def advance(self, count: int) -> None:
        """Report nothing."""


@dataclass(slots=True)
class IngestReport:
    """What one backfill, gap fill or import did."""

    symbol: str
    timeframe: str
    source: str
    received: int = 0
    stored: int = 0
    pages: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    ranges: list[tuple[datetime, datetime]] = field(default_factory=list)
    gaps_before: GapReport | None = None
    gaps_after: GapReport | None = None

    @property
    def rejected_total(self) -> int:
        return sum(self.rejected.values())

    @property
    def duplicates(self) -> int:
        return self.received - self.rejected_total - self.stored


async def backfill(
    db: Database,
    provider: HistoryProvider,
    *,
    symbol: str,
    timeframe: str,
    start: datetime,
    end: datetime | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    """Fetch ``[start, end)`` (end defaults to now), skipping what this source already stored.

    Raises
    ------
    ProviderError
        The provider failed; pages stored before stay stored and the state
        records the error, so the next run resumes from there.
    """
    frame = Timeframe.parse(timeframe)
    end = frame.floor(end or datetime.now(UTC))
    async with db.read() as connection:
        state = await load_ingest_state(connection, symbol, frame.label, provider.source)
    state = state or IngestState(symbol, frame.label, provider.source)
    report = IngestReport(symbol, frame.label, provider.source)
    report.ranges = _missing_ranges(state, frame, start, end)
    state = dataclasses.replace(
        state, complete=False, target_end=end, last_error=None, last_rejects={}
    )
    progress = progress or _Silent()
    expected = sum(int((b - a).total_seconds()) // frame.seconds for a, b in report.ranges)
    progress.begin(expected, f"{symbol} {frame.label} from {provider.source}")
    for range_start, range_end in report.ranges:
        pages = provider.history(symbol, frame.label, start=range_start, end=range_end)
        state = await _store_pages(db, pages, state, report, progress)
    state = dataclasses.replace(state, complete=True)
    async with db.transaction() as connection:
        await save_ingest_state(connection, state)
    return report


async def fill_gaps(
    db: Database,
    provider: HistoryProvider,
    *,
    symbol: str,
    timeframe: str,
    calendar: TradingCalendar,
    start: datetime | None = None,
    end: datetime | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    """Fetch only the bars the calendar expects but storage lacks, within the stored range."""
    frame = Timeframe.parse(timeframe)
    before = await series_gaps(db, symbol, frame.label, calendar, start=start, end=end)
    report = IngestReport(symbol, frame.label, provider.source, gaps_before=before)
    async with db.read() as connection:
        state = await load_ingest_state(connection, symbol, frame.label, provider.source)
    state = dataclasses.replace(
        state or IngestState(symbol, frame.label, provider.source), last_rejects={}
    )
    progress = progress or _Silent()
    progress.begin(before.total_missing, f"{symbol} {frame.label}: {len(before)} gap(s)")
    for gap in before.gaps():
        report.ranges.append((gap.start, gap.end))
        pages = provider.history(symbol, frame.label, start=gap.start, end=gap.end)
        state = await _store_pages(db, pages, state, report, progress)
    report.gaps_after = await series_gaps(db, symbol, frame.label, calendar, start=start, end=end)
    return report


async def import_file(
    db: Database,
    path: Path,
    *,
    symbol: str,
    timeframe: str,
    options: FileOptions | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    """Import a CSV or Parquet file in one transaction: any bad row means nothing is stored.

    Raises
    ------
    DataImportError
        The file is unreadable, lacks a column, or has bad rows (listed by number).
    """
    frame = Timeframe.parse(timeframe)
    source = f"file:{path.name}"[:32]
    report = IngestReport(symbol, frame.label, source)
    progress = progress or _Silent()
    progress.begin(0, f"{path.name} -> {symbol} {frame.label}")
    async with db.transaction() as connection:
        state = await load_ingest_state(connection, symbol, frame.label, source)
        state = state or IngestState(symbol, frame.label, source)
        for chunk in read_bar_file(path, symbol=symbol, timeframe=frame.label, options=options):
            stored = await insert_frame(connection, chunk, source=source)
            report.pages += 1
            report.received += len(chunk)
            report.stored += stored
            state = _advanced(state, chunk, stored, Counter())
            progress.advance(len(chunk))
        await save_ingest_state(connection, dataclasses.replace(state, complete=True))
    return report


async def series_gaps(
    db: Database,
    symbol: str,
    timeframe: str,
    calendar: TradingCalendar,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
) -> GapReport:
    """Find the gaps of a stored series (between its first and last bar unless bounded)."""
    frame = Timeframe.parse(timeframe)
    async with db.read() as connection:
        times = await read_times(connection, symbol, frame.label, start=start, end=end)
    return find_gaps(
        times,
        frame.seconds,
        calendar,
        start_s=int(start.timestamp()) if start else None,
        end_s=int(end.timestamp()) if end else None,
    )


def _missing_ranges(
    state: IngestState, frame: Timeframe, start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """The parts of ``[start, end)`` this source has not yet covered."""
    start = frame.floor(start) if frame.is_aligned(start) else frame.floor(start) + frame.delta
    if state.first_ts is None or state.last_ts is None:
        return [(start, end)] if start < end else []
    ranges = []
    if start < state.first_ts:
        ranges.append((start, min(state.first_ts, end)))
    resume = max(start, state.last_ts + frame.delta)
    if resume < end:
        ranges.append((resume, end))
    return ranges


async def _store_pages(
    db: Database,
    pages: AsyncIterator[BarFrame],
    state: IngestState,
    report: IngestReport,
    progress: Progress,
) -> IngestState:
    try:
        async for page in pages:
            checked = check_frame(page)
            if checked.rejected:
                reasons = ", ".join(f"{n} {why}" for why, n in checked.rejected.items())
                log.warning("%s %s: rejected %s", page.symbol, page.timeframe, reasons)
            async with db.transaction() as connection:
                stored = await insert_frame(connection, checked.accepted, source=state.source)
                state = _advanced(state, checked.accepted, stored, checked.rejected)
                await save_ingest_state(connection, state)
            report.pages += 1
            report.received += len(page)
            report.stored += stored
            report.rejected.update(checked.rejected)
            progress.advance(len(page))
    except Exception as error:
        async with db.transaction() as connection:
            await save_ingest_state(connection, dataclasses.replace(state, last_error=str(error)))
        raise
    return state


def _advanced(
    state: IngestState, page: BarFrame, stored: int, rejected: Counter[str]
) -> IngestState:
    first, last = page.first_time, page.last_time
    return dataclasses.replace(
        state,
        first_ts=min(filter(None, (state.first_ts, first)), default=None),
        last_ts=max(filter(None, (state.last_ts, last)), default=None),
        stored_total=state.stored_total + stored,
        rejected_total=state.rejected_total + sum(rejected.values()),
        last_rejects=dict(Counter(state.last_rejects) + rejected),
    )


async def resample_series(
    db: Database,
    *,
    symbol: str,
    source_timeframe: str,
    target_timeframe: str,
    start: datetime | None = None,
    end: datetime | None = None,
    complete_only: bool = False,
    origin_s: int = 0,
) -> IngestReport:
    """Build ``target_timeframe`` bars from stored ``source_timeframe`` bars and store them.

    The source is recorded as ``resample:<source timeframe>``; bars already
    stored for the target are kept (re-running stores nothing twice).
    """
    async with db.read() as connection:
        source = await read_frame(connection, symbol, source_timeframe, start=start, end=end)
    result = resample(source, target_timeframe, origin_s=origin_s, complete_only=complete_only)
    label = f"resample:{source_timeframe}"
    report = IngestReport(symbol, result.frame.timeframe, label, received=len(source))
    async with db.transaction() as connection:
        report.stored = await insert_frame(connection, result.frame, source=label)
        state = await load_ingest_state(connection, symbol, result.frame.timeframe, label)
        state = _advanced(
            state or IngestState(symbol, result.frame.timeframe, label),
            result.frame,
            report.stored,
            Counter(),
        )
        await save_ingest_state(connection, dataclasses.replace(state, complete=True))
    return report
