"""Read-side market data for the API and the CLI: candles with indicators, latest bar, status.

Ranges that were archived are read from the Parquet files transparently (the
answer says so); indicators are computed on read over the requested bars plus
enough earlier bars to warm them up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np

from tradestack.config.data_settings import DataSettings
from tradestack.domain.bar_frame import BarFrame
from tradestack.domain.market import Bar
from tradestack.domain.timeframes import Timeframe
from tradestack.marketdata import recent
from tradestack.marketdata.archive import read_archived
from tradestack.marketdata.calendars import parse_calendar
from tradestack.marketdata.indicators import compute, parse_indicators, warmup_bars
from tradestack.marketdata.pipeline import series_gaps
from tradestack.storage.database import Database
from tradestack.storage.repositories.bar_frames import read_frame
from tradestack.storage.repositories.bar_series import series_catalog
from tradestack.storage.repositories.bars import recent_bars
from tradestack.storage.repositories.ingest import ArchiveRecord, archive_records, ingest_states


async def candlesticks(db: Database, symbol: str, *, timeframe: str, limit: int) -> list[Bar]:
    """Return the newest ``limit`` bars, oldest first; raise ValueError for a bad timeframe."""
    Timeframe.parse(timeframe)
    cache = recent.cache_of(db)
    if cache is not None:
        return await cache.newest(db, symbol, timeframe, limit)
    async with db.read() as connection:
        return await recent_bars(connection, symbol, timeframe, limit=limit)


@dataclass(frozen=True, slots=True)
class CandleSeries:
    """Bars of one series with aligned indicator arrays; ``archived`` of them came from Parquet."""

    frame: BarFrame
    indicators: dict[str, np.ndarray]
    archived: int = 0


async def candle_series(
    db: Database,
    symbol: str,
    *,
    timeframe: str,
    start: datetime | None = None,
    end: datetime | None = None,
    limit: int = 100,
    indicators: str = "",
    archive_root: Path | None = None,
) -> CandleSeries:
    """Bars in ``[start, end)``: the first ``limit`` from ``start``, else the last before ``end``.

    Archived bars (always older than the stored ones) are read from Parquet
    when the range reaches them and ``archive_root`` is given.

    Raises
    ------
    ValueError
        A bad timeframe or indicator name, or ``start`` not before ``end``.
    """
    frame_spec = Timeframe.parse(timeframe)
    specs = parse_indicators(indicators)
    if start and end and start >= end:
        raise ValueError("start must be before end")
    warmup = warmup_bars(specs)
    label = frame_spec.label
    cache = recent.cache_of(db)
    if cache is not None and start is None and end is None and not specs:
        # A chart's usual read: the newest bars, no indicators. When storage holds at
        # least ``limit`` of them, none is archived, and memory has them.
        newest = await cache.newest(db, symbol, label, limit)
        if len(newest) == limit:
            return CandleSeries(BarFrame.from_bars(newest), {}, 0)
    async with db.read() as connection:
        if start is None:  # the newest bars, with the warm-up bars before them
            head = await recent_bars(connection, symbol, label, limit=limit + warmup, before=end)
            body = BarFrame.empty(symbol, label)
        else:  # warm-up bars before start, then up to ``limit`` bars from start
            head = await recent_bars(connection, symbol, label, limit=warmup, before=start)
            body = await read_frame(connection, symbol, label, start=start, end=end, limit=limit)
        records = await archive_records(connection, symbol, label)
    parts = [BarFrame.from_bars(head)] if head else []
    stored = BarFrame.concat([*parts, body]) if parts else body
    frame, archived = _with_archive(stored, records, archive_root, start, end, limit + warmup)
    values = compute(frame, specs)
    keep = _selection(frame, start, limit)
    shown = frame.take(keep)
    archived_shown = int(np.count_nonzero(shown.ts <= archived)) if archived is not None else 0
    return CandleSeries(shown, {k: v[keep] for k, v in values.items()}, archived_shown)


def _with_archive(
    stored: BarFrame,
    records: list[ArchiveRecord],
    root: Path | None,
    start: datetime | None,
    end: datetime | None,
    wanted: int,
) -> tuple[BarFrame, int | None]:
    """Prepend archived bars the request reaches; return the frame and the newest archived ts."""
    if not records or root is None:
        return stored, None
    upper = stored.first_time or end
    reached = [r for r in records if upper is None or r.first_ts < upper]
    if start is None:
        if len(stored) >= wanted:
            return stored, None
        newest_first = sorted(reached, key=lambda r: r.first_ts, reverse=True)
        old = read_archived(root, _enough(newest_first, wanted - len(stored), None), None, upper)
    else:
        lower = start - wanted * Timeframe.parse(stored.timeframe).delta
        oldest_first = sorted((r for r in reached if r.last_ts >= lower), key=lambda r: r.first_ts)
        old = read_archived(root, _enough(oldest_first, wanted, start), lower, upper)
    if old is None or not len(old):
        return stored, None
    return BarFrame.concat([old, stored]).sorted(), int(old.ts[-1])


def _enough(
    records: list[ArchiveRecord], wanted: int, after: datetime | None
) -> list[ArchiveRecord]:
    """The first records (in the given order) that hold ``wanted`` rows after ``after``."""
    chosen, rows = [], 0
    for record in records:
        chosen.append(record)
        if after is None or record.last_ts >= after:
            rows += record.row_count
        if rows >= wanted:
            break
    return chosen


def _selection(frame: BarFrame, start: datetime | None, limit: int) -> slice:
    if start is None:
        return slice(max(0, len(frame) - limit), len(frame))
    first = int(np.searchsorted(frame.ts, int(start.timestamp())))
    return slice(first, min(len(frame), first + limit))


async def latest_bar(db: Database, symbol: str, *, timeframe: str) -> Bar | None:
    """The newest stored bar of a series (one index probe)."""
    Timeframe.parse(timeframe)
    async with db.read() as connection:
        bars = await recent_bars(connection, symbol, timeframe, limit=1)
    return bars[0] if bars else None


@dataclass(frozen=True, slots=True)
class SeriesStatus:
    """Per series: stored range and rows, missing bars by the calendar, ingest and archive state."""

    symbol: str
    timeframe: str
    rows: int
    first: datetime
    last: datetime
    calendar: str
    gaps: int | None
    missing_bars: int | None
    sources: list[str]
    complete: bool
    last_ingest_at: datetime | None
    rejected_total: int
    last_error: str | None
    archived_rows: int


async def data_status(
    db: Database, settings: DataSettings, *, gaps: bool = True
) -> list[SeriesStatus]:
    """Describe every series in the catalogue; ``gaps=False`` skips the (linear-time) gap scan.

    Row counts and bounds come from ``bar_series`` (kept by tradestack's
    writes), not from scanning ``bars``.
    """
    async with db.read() as connection:
        series = await series_catalog(connection)
        states = await ingest_states(connection)
        archives = await archive_records(connection)
    out = []
    for known in series:
        symbol, timeframe = known.symbol, known.timeframe
        mine = [s for s in states if (s.symbol, s.timeframe) == (symbol, timeframe)]
        spec = settings.calendar_spec(symbol)
        report = await series_gaps(db, symbol, timeframe, parse_calendar(spec)) if gaps else None
        ingested = [s.last_ingest_at for s in mine if s.last_ingest_at]
        out.append(
            SeriesStatus(
                symbol=symbol,
                timeframe=timeframe,
                rows=known.row_count,
                first=known.first_ts,
                last=known.last_ts,
                calendar=spec,
                gaps=len(report) if report is not None else None,
                missing_bars=report.total_missing if report is not None else None,
                sources=[s.source for s in mine],
                complete=any(s.complete for s in mine),
                last_ingest_at=max(ingested) if ingested else None,
                rejected_total=sum(s.rejected_total for s in mine),
                last_error=next((s.last_error for s in mine if s.last_error), None),
                archived_rows=sum(
                    a.row_count for a in archives if (a.symbol, a.timeframe) == (symbol, timeframe)
                ),
            )
        )
    return out


def archive_root(home: Path, configured: Path | None) -> Path:
    """Where archives live: the configured directory, else ``$TRADESTACK_HOME/archive``."""
    return configured or home / "archive"
