"""Migration toolkit throughput: db move SQLite -> PostgreSQL (verified), backups and restores.

Cases, on one seeded SQLite database of N bars and M orders:
- ``raw copy``: sqlite3 rows straight into asyncpg COPY, no typing, no proof, no
  resume: the floor of any Python copy, the reference for the move's ratio;
- ``db move``: ``tradestack db move`` as a process (copy + row-by-row proof),
  with its peak RSS;
- backups and restores of the source (SQLite online backup API) and of the
  moved copy (pg_dump, and the portable dump), each against the bare tool.

Run: ``python -m bench.migrate [--bars N] [--orders M] [--quick] [--move-only]``;
the issue's figure is ``--bars 10000000 --orders 1000000``.
"""

from __future__ import annotations

import asyncio
import os
import re
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import asyncpg

from bench.report import Result, print_table
from tradestack.migrate.backup import create_backup
from tradestack.migrate.restore import restore_backup
from tradestack.storage import migrations, pg_tools, sqlite_files
from tradestack.storage.database import Database

ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
T0 = datetime(2020, 1, 1)


def _bars(count: int) -> Iterator[tuple[object, ...]]:
    for i in range(count):
        ts = (T0 + timedelta(minutes=i)).strftime("%Y-%m-%d %H:%M:%S.%f")
        price = 100 + (i % 1000) * 0.01
        yield ("BTC/USDT", "1m", ts, price, price + 1, price - 1, price + 0.5, 10.0 + i % 7, "x")


def _orders(count: int) -> Iterator[tuple[object, ...]]:
    for i in range(count):
        ts = (T0 + timedelta(seconds=i)).strftime("%Y-%m-%d %H:%M:%S.%f")
        yield (
            f"ord-{i:09d}",
            "alice",
            "BTC/USDT",
            "BUY",
            "MARKET",
            "GTC",
            "0.5",
            None,
            "FILLED",
            "0.5",
            "43000.25",
            None,
            None,
            None,
            ts,
            ts,
        )


async def make_source(path: Path, bars: int, orders: int) -> str:
    url = f"sqlite+aiosqlite:///{path}"
    db = Database(url)
    await migrations.upgrade(db.engine)
    await db.dispose()
    with sqlite3.connect(path) as connection:
        connection.executemany(
            "INSERT INTO bars (symbol, timeframe, ts, open, high, low, close, volume, source)"
            " VALUES (?,?,?,?,?,?,?,?,?)",
            _bars(bars),
        )
        connection.executemany(f"INSERT INTO orders VALUES ({','.join('?' * 16)})", _orders(orders))
    return url


async def create_database() -> str:
    name = f"tradestack_bench_{uuid.uuid4().hex[:10]}"
    connection = await asyncpg.connect(ADMIN)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"


async def drop_database(url: str) -> None:
    connection = await asyncpg.connect(ADMIN)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
    finally:
        await connection.close()


async def raw_copy(source: Path, target_url: str) -> Result:
    """The floor: sqlite3 -> asyncpg COPY, timestamps parsed, nothing else."""
    db = Database(target_url)
    await migrations.upgrade(db.engine)
    await db.dispose()
    connection = await asyncpg.connect(target_url.replace("+asyncpg", ""))
    rows = 0
    started = time.perf_counter()
    with sqlite3.connect(source) as lite:
        for table, stamps in (("bars", (3,)), ("orders", (14, 15))):
            columns = [r[1] for r in lite.execute(f"PRAGMA table_info({table})")]
            cursor = lite.execute(f"SELECT * FROM {table}")
            while batch := cursor.fetchmany(20_000):
                records = [_typed(row, stamps, table) for row in batch]
                await connection.copy_records_to_table(table, records=records, columns=columns)
                rows += len(batch)
    seconds = time.perf_counter() - started
    await connection.close()
    return Result("raw copy (floor)", rows, seconds, "sqlite3 -> COPY, unverified")


def _typed(row: tuple[object, ...], stamps: tuple[int, ...], table: str) -> tuple[object, ...]:
    values = list(row)
    for i in stamps:
        values[i] = datetime.fromisoformat(f"{values[i]}+00:00")
    if table == "orders":
        for i in (6, 7, 9, 10):
            values[i] = None if values[i] is None else Decimal(str(values[i]))
    return tuple(values)


def db_move(source_url: str, target_url: str, home: Path, rows: int) -> list[Result]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRADESTACK_")}
    env.update(TRADESTACK_DATABASE_URL=source_url, TRADESTACK_HOME=str(home))
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "tradestack.cli", "db", "move", "--to", target_url],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"db move failed: {done.stderr}")
    found = re.search(r"copied [\d,]+ rows in ([\d.]+) s .* verified in ([\d.]+) s", done.stdout)
    if found is None:
        raise SystemExit(f"unexpected db move output: {done.stdout[-500:]}")
    copy_s, verify_s = float(found.group(1)), float(found.group(2))
    rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return [
        Result("db move, total", rows, seconds, f"copy + proof, peak RSS {rss_mb:,.0f} MB"),
        Result("db move, copy", rows, copy_s, "typed, resumable batches"),
        Result("db move, proof", rows, verify_s, "both sides read, row by row"),
    ]


async def timed(name: str, rows: int, note: str, work) -> Result:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    await work
    return Result(name, rows, time.perf_counter() - started, note)


async def sqlite_backups(source: Path, source_url: str, home: Path, rows: int) -> list[Result]:
    bare = asyncio.to_thread(sqlite_files.copy_database, source, home / "bare.sqlite")
    out = [await timed("sqlite3 backup API alone", rows, "no manifest", bare)]
    made = await create_backup(source_url, home)
    out.append(Result("backup", rows, made.seconds, "online backup + digests"))
    again = restore_backup(source_url, home, made.backup_id, safety_backup=False)
    out.append(await timed("restore", rows, "verify, restore, re-check", again))
    return out


async def postgres_backups(target_url: str, home: Path, rows: int) -> list[Result]:
    bare = pg_tools.dump(target_url, home / "bare.pgdump")
    out = [await timed("pg_dump alone", rows, "no manifest", bare)]
    dumped = await create_backup(target_url, home)
    out.append(Result("backup (pg_dump)", rows, dumped.seconds, "snapshot dump + digests"))
    again = restore_backup(target_url, home, dumped.backup_id, safety_backup=False)
    out.append(await timed("restore (pg_restore)", rows, "verify, restore, re-check", again))
    portable = await create_backup(target_url, home, portable=True)
    out.append(Result("backup (portable)", rows, portable.seconds, "JSON lines, gzip"))
    again = restore_backup(target_url, home, portable.backup_id, safety_backup=False)
    out.append(await timed("restore (portable)", rows, "one transaction, COPY", again))
    return out


async def run(bars: int, orders: int, *, backups: bool = True) -> None:
    rows = bars + orders
    with tempfile.TemporaryDirectory(prefix="tradestack-bench-") as folder:
        home = Path(folder)
        source = home / "source.db"
        started = time.perf_counter()
        source_url = await make_source(source, bars, orders)
        print(f"source: {bars:,} bars + {orders:,} orders in {time.perf_counter() - started:.1f} s")
        floor_url, target_url = await create_database(), await create_database()
        try:
            results = [await raw_copy(source, floor_url)]
            await drop_database(floor_url)
            results += db_move(source_url, target_url, home, rows)
            print_table(
                f"db move SQLite -> PostgreSQL, {rows:,} rows", "rows", results, "raw copy (floor)"
            )
            if not backups:
                return
            lite = await sqlite_backups(source, source_url, home, rows)
            title = f"SQLite backup and restore, {rows:,} rows"
            print_table(title, "rows", lite, "sqlite3 backup API alone")
            if pg_tools.available():
                pg = await postgres_backups(target_url, home, rows)
                title = f"PostgreSQL backup and restore, {rows:,} rows"
                print_table(title, "rows", pg, "pg_dump alone")
        finally:
            await drop_database(floor_url)
            await drop_database(target_url)


def main(quick: bool = False) -> None:
    bars = int(_arg("--bars", "100000" if quick else "1000000"))
    orders = int(_arg("--orders", "10000" if quick else "100000"))
    asyncio.run(run(bars, orders, backups="--move-only" not in sys.argv))


def _arg(name: str, default: str) -> str:
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
