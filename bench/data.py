"""Market-data speed: ingest, latest-100 latency, gap detection, streaming CSV import memory.

Cases, on the same seeded synthetic 1m bars in one run:
- ingest into PostgreSQL and SQLite through ``insert_frame`` (binary COPY /
  executemany), beside ``pandas.DataFrame.to_sql`` appending the same bars to
  the same migrated ``bars`` table (the reference for ratios);
- latest 100 bars of one symbol from the filled table, p50/p99 over many
  queries through ``recent_bars``, with the plan's first line;
- gap detection: ``find_gaps`` over the bars' times (0.1 % removed), and the
  whole ``series_gaps`` including the read from each database;
- importing a CSV of the bars with ``tradestack data import`` in a child
  process: peak RSS (``ru_maxrss``) beside ``pandas.read_csv`` of the file.

The issue sizes these at 10 million bars; that takes a while, so the default
is 1 million: ``python -m bench.data --bars 10000000`` for the full size,
``--quick`` for 200,000. PostgreSQL is the local server
(``TRADESTACK_TEST_POSTGRES_URL`` or ``postgresql+asyncpg://postgres@127.0.0.1:5432/postgres``);
its cases are skipped when it is down.
"""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from bench.report import Result, print_table
from tradestack.domain.bar_frame import BarFrame
from tradestack.marketdata.calendars import parse_calendar
from tradestack.marketdata.gaps import find_gaps
from tradestack.marketdata.pipeline import series_gaps
from tradestack.marketdata.synthetic import SyntheticMarket
from tradestack.storage import migrations
from tradestack.storage.database import Database
from tradestack.storage.repositories.bar_frames import insert_frame
from tradestack.storage.repositories.bar_series import series_catalog
from tradestack.storage.repositories.bars import recent_bars

START = datetime(2010, 1, 1, tzinfo=UTC)
BATCH = 1_000_000
ADMIN_URL = os.environ.get(
    "TRADESTACK_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
console = Console()


def make_frame(count: int, symbol: str = "BTC/USDT") -> BarFrame:
    """``count`` contiguous 1m bars, generated in pages (the generator's fast path)."""
    parts = []
    market = SyntheticMarket(seed=42)
    previous = None
    for begin in range(0, count, BATCH):
        size = min(BATCH, count - begin)
        first = int(START.timestamp()) + 60 * begin
        arrays = market.arrays(
            symbol, "1m", datetime.fromtimestamp(first, UTC), size, previous_close=previous
        )
        previous = float(arrays[3][-1])
        ts = first + 60 * np.arange(size, dtype=np.int64)
        parts.append(BarFrame.from_arrays(symbol, "1m", ts, *arrays))
    return BarFrame.concat(parts)


def postgres_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


async def fresh_postgres() -> str:
    import asyncpg

    name = f"tradestack_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(ADMIN_URL.replace("+asyncpg", ""))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


async def drop_postgres(url: str) -> None:
    import asyncpg

    admin = await asyncpg.connect(ADMIN_URL.replace("+asyncpg", ""))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
    finally:
        await admin.close()


async def ingest(url: str, frame: BarFrame, name: str) -> tuple[Result, Database]:
    db = Database(url)
    await migrations.upgrade(db.engine)
    started = time.perf_counter()
    stored = 0
    async with db.transaction() as connection:
        for begin in range(0, len(frame), BATCH):
            part = frame.take(slice(begin, begin + BATCH))
            stored += await insert_frame(connection, part, source="bench")
    elapsed = time.perf_counter() - started
    return Result(name, stored, elapsed, "insert_frame, one transaction"), db


async def to_sql(url: str, frame: BarFrame, name: str) -> Result:
    """``DataFrame.to_sql`` appending to the same migrated table, in chunks of 100k rows."""
    import pandas as pd
    from sqlalchemy import create_engine

    db = Database(url)
    await migrations.upgrade(db.engine)
    await db.dispose()
    table = pd.DataFrame(
        {
            "symbol": frame.symbol,
            "timeframe": frame.timeframe,
            "ts": pd.to_datetime(frame.ts, unit="s", utc=True),
            **{c: getattr(frame, c) for c in ("open", "high", "low", "close", "volume")},
            "source": "bench",
        }
    )
    sync_url = url.replace("+asyncpg", "+psycopg").replace("+aiosqlite", "")
    engine = create_engine(sync_url)
    started = time.perf_counter()
    with engine.begin() as connection:
        table.to_sql("bars", connection, if_exists="append", index=False, chunksize=100_000)
    elapsed = time.perf_counter() - started
    engine.dispose()
    return Result(name, len(frame), elapsed, "pandas to_sql, chunks of 100k")


async def latest_latency(db: Database, symbol: str, runs: int) -> tuple[float, float, str]:
    async with db.read() as connection:
        for _ in range(20):
            await recent_bars(connection, symbol, "1m", limit=100)
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            await recent_bars(connection, symbol, "1m", limit=100)
            timings.append((time.perf_counter() - started) * 1000)
        plan = await _plan(connection, symbol)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.99) - 1], plan


async def _plan(connection: AsyncConnection, symbol: str) -> str:
    """The first index line of the plan of what ``recent_bars`` runs (bounded on PostgreSQL)."""
    where = "symbol = :symbol AND timeframe = '1m'"
    params: dict[str, object] = {"symbol": symbol}
    if connection.dialect.name == "postgresql":
        known = next(s for s in await series_catalog(connection) if s.symbol == symbol)
        where += " AND ts >= :since"
        params["since"] = known.last_ts - timedelta(minutes=400)
    prefix = "EXPLAIN QUERY PLAN " if connection.dialect.name == "sqlite" else "EXPLAIN "
    sql = f"{prefix}SELECT * FROM bars WHERE {where} ORDER BY ts DESC LIMIT 100"
    lines = [str(row[-1]) for row in (await connection.execute(text(sql), params)).all()]
    return next((line.strip() for line in lines if "Index" in line or "INDEX" in line), lines[0])


async def gap_timing(db: Database, frame: BarFrame) -> tuple[float, int]:
    """Seconds for ``series_gaps``: reading the stored times, then detecting."""
    started = time.perf_counter()
    report = await series_gaps(db, frame.symbol, "1m", parse_calendar("24/7"))
    return time.perf_counter() - started, report.total_missing


def gaps_in_memory(frame: BarFrame) -> tuple[Result, int]:
    holes = np.arange(500, len(frame), 1000)
    times = np.delete(frame.ts, holes)
    started = time.perf_counter()
    report = find_gaps(times, 60, parse_calendar("24/7"))
    elapsed = time.perf_counter() - started
    return Result("find_gaps (numpy)", len(times), elapsed, f"{len(report):,} gaps"), len(report)


def csv_import_memory(frame: BarFrame, folder: Path) -> list[Result]:
    path = folder / "bars.csv"
    with path.open("w") as handle:
        handle.write("timestamp,open,high,low,close,volume\n")
        for begin in range(0, len(frame), BATCH):
            part = frame.take(slice(begin, begin + BATCH))
            columns = np.column_stack(
                [part.ts, part.open, part.high, part.low, part.close, part.volume]
            )
            np.savetxt(
                handle, columns, fmt=["%d", "%.2f", "%.2f", "%.2f", "%.2f", "%.4f"], delimiter=","
            )
    size_mb = path.stat().st_size / 1e6
    ours = _child_peak(
        "import asyncio, sys; from pathlib import Path; "
        "from tradestack.marketdata.pipeline import import_file; "
        "from tradestack.storage.database import Database; "
        "from tradestack.storage import migrations\n"
        "async def go():\n"
        f"    db = Database('sqlite+aiosqlite:///{folder / 'import.db'}')\n"
        "    await migrations.upgrade(db.engine)\n"
        f"    r = await import_file(db, Path('{path}'), symbol='BTC/USDT', timeframe='1m')\n"
        "    await db.dispose(); print(r.stored)\n"
        "asyncio.run(go())\n"
    )
    pandas_peak = _child_peak(f"import pandas as pd; print(len(pd.read_csv('{path}')))")
    return [
        Result(
            "tradestack data import",
            len(frame),
            ours[1],
            f"peak RSS {ours[0]:,.0f} MB, {size_mb:,.0f} MB file, into SQLite",
        ),
        Result(
            "pandas.read_csv",
            len(frame),
            pandas_peak[1],
            f"peak RSS {pandas_peak[0]:,.0f} MB (whole file in memory, no storing)",
        ),
    ]


def _child_peak(code: str) -> tuple[float, float]:
    """Run ``code`` in a fresh interpreter; return its peak RSS in MB and its wall time."""
    started = time.perf_counter()
    result = subprocess.run(
        ["/usr/bin/time", "-f", "%M", sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
    )
    elapsed = time.perf_counter() - started
    peak_kb = int(result.stderr.strip().splitlines()[-1])
    return peak_kb / 1024, elapsed


def main(*, quick: bool = False) -> None:
    count = 200_000 if quick else 1_000_000
    if "--bars" in sys.argv:
        count = int(sys.argv[sys.argv.index("--bars") + 1])
    frame = make_frame(count)
    asyncio.run(_run(frame))


async def _run(frame: BarFrame) -> None:
    count = len(frame)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        results, latency = [], Table(title=f"latest 100 bars from a {count:,}-row table")
        for column in ("engine", "p50 ms", "p99 ms", "plan"):
            latency.add_column(column)
        gaps_table = Table(title=f"gap detection over {count:,} 1m bars (24/7)")
        for column in ("case", "seconds", "note"):
            gaps_table.add_column(column)
        engines = [
            (
                "SQLite",
                f"sqlite+aiosqlite:///{root / 'ours.db'}",
                f"sqlite+aiosqlite:///{root / 'pandas.db'}",
            )
        ]
        if postgres_up():
            engines.insert(0, ("PostgreSQL", await fresh_postgres(), await fresh_postgres()))
        else:
            console.print("[yellow]PostgreSQL at 127.0.0.1:5432 is down: its cases are skipped[/]")
        for name, ours_url, pandas_url in engines:
            try:
                result, db = await ingest(ours_url, frame, "insert_frame")
                reference = await to_sql(pandas_url, frame, "to_sql")
                results.append((name, [result, reference]))
                p50, p99, plan = await latest_latency(db, frame.symbol, 1000)
                latency.add_row(name, f"{p50:.2f}", f"{p99:.2f}", plan)
                seconds, missing = await gap_timing(db, frame)
                gaps_table.add_row(
                    f"series_gaps on {name}", f"{seconds:.2f}", f"read + detect, {missing} missing"
                )
                await db.dispose()
            finally:
                if ours_url.startswith("postgresql"):
                    await drop_postgres(ours_url)
                    await drop_postgres(pandas_url)
        for name, rows in results:
            print_table(f"ingest of {count:,} 1m bars into {name}", "bars", rows, "to_sql")
        console.print(latency)
        in_memory, gaps = gaps_in_memory(frame)
        gaps_table.add_row(
            in_memory.name, f"{in_memory.seconds:.3f}", f"{gaps:,} gaps found (0.1 % removed)"
        )
        console.print(gaps_table)
        print_table(
            f"streaming CSV import of {count:,} bars",
            "bars",
            csv_import_memory(frame, root),
            "pandas.read_csv",
        )


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
