"""Bulk bar I/O in columnar frames, by the fastest path of each engine.

PostgreSQL: the frame is encoded as binary COPY with numpy (no Python object
per row); when no stored bar overlaps its time range it is copied straight
into ``bars``, otherwise streamed into a temporary staging table and moved with
one ``INSERT ... SELECT ... ON CONFLICT DO NOTHING``; reads come back the same way
(``COPY ... TO STDOUT`` binary, decoded with ``np.frombuffer``). SQLite: one
``executemany`` over lazily zipped columns inside the caller's transaction.
Both run inside the caller's transaction, so a failed file import leaves
nothing behind.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from itertools import repeat
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from tradestack.domain.bar_frame import BarFrame
from tradestack.storage.partitions import ensure_bar_partitions
from tradestack.storage.repositories.bar_series import note_stored
from tradestack.storage.tables import bars

log = logging.getLogger(__name__)

_PG_EPOCH_S = 946_684_800  # 2000-01-01, the origin of PostgreSQL's binary timestamps
_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + (0).to_bytes(4, "big") + (0).to_bytes(4, "big")
_COPY_TRAILER = (-1).to_bytes(2, "big", signed=True)
_COPY_CHUNK = 200_000
_SQLITE_CHUNK = 100_000
_STAGE = "bars_stage"
_UNIQUE_VIOLATION = "23505"
_COLUMNS = "symbol, timeframe, ts, open, high, low, close, volume, source"
_PRICES = ("open", "high", "low", "close", "volume")
_TIME_DTYPE = np.dtype([("count", ">i2"), ("ts_len", ">i4"), ("ts", ">i8")])
_READ_DTYPE = np.dtype(
    [("count", ">i2"), ("ts_len", ">i4"), ("ts", ">i8")]
    + [field for name in _PRICES for field in ((f"{name}_len", ">i4"), (name, ">f8"))]
)


async def insert_frame(connection: AsyncConnection, frame: BarFrame, *, source: str) -> int:
    """Store the frame's bars, skipping (symbol, timeframe, ts) already stored; return new count."""
    if not len(frame):
        return 0
    await ensure_bar_partitions(connection, int(frame.ts.min()), int(frame.ts.max()))
    driver = (await connection.get_raw_connection()).driver_connection
    if connection.dialect.name == "postgresql":
        stored = await _copy_in(driver, frame, source)
    else:
        stored = await _executemany(driver, frame, source)
    await note_stored(connection, frame, stored)
    return stored


async def read_frame(
    connection: AsyncConnection,
    symbol: str,
    timeframe: str,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    limit: int | None = None,
) -> BarFrame:
    """Return the stored bars with ``start <= ts < end`` (the first ``limit``), oldest first."""
    where, params = _range_clause(connection, symbol, timeframe, start, end)
    order = " ORDER BY ts" + (f" LIMIT {int(limit)}" if limit is not None else "")
    driver = (await connection.get_raw_connection()).driver_connection
    if connection.dialect.name == "postgresql":
        query = f"SELECT ts, {', '.join(_PRICES)} FROM bars WHERE {where}{order}"
        data = await _copy_out(driver, query, params)
        rows = np.frombuffer(data, dtype=_READ_DTYPE) if data else np.empty(0, _READ_DTYPE)
        ts = rows["ts"] // 1_000_000 + _PG_EPOCH_S
        return BarFrame.from_arrays(symbol, timeframe, ts, *(rows[p] for p in _PRICES))
    epoch = "CAST(strftime('%s', ts) AS INTEGER)"
    query = f"SELECT {epoch}, {', '.join(_PRICES)} FROM bars WHERE {where}{order}"
    table = await _sqlite_rows(driver, query, params, 6)
    return BarFrame.from_arrays(symbol, timeframe, table[:, 0], *(table[:, i] for i in range(1, 6)))


async def read_times(
    connection: AsyncConnection,
    symbol: str,
    timeframe: str,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
) -> np.ndarray:
    """Return the open times (epoch seconds, ascending) of the stored bars in range."""
    where, params = _range_clause(connection, symbol, timeframe, start, end)
    driver = (await connection.get_raw_connection()).driver_connection
    if connection.dialect.name == "postgresql":
        data = await _copy_out(driver, f"SELECT ts FROM bars WHERE {where} ORDER BY ts", params)
        if not data:
            return np.empty(0, dtype=np.int64)
        rows = np.frombuffer(data, dtype=_TIME_DTYPE)
        return (rows["ts"] // 1_000_000 + _PG_EPOCH_S).astype(np.int64)
    query = f"SELECT CAST(strftime('%s', ts) AS INTEGER) FROM bars WHERE {where} ORDER BY ts"
    return (await _sqlite_rows(driver, query, params, 1))[:, 0].astype(np.int64)


def _range_clause(
    connection: AsyncConnection,
    symbol: str,
    timeframe: str,
    start: datetime | None,
    end: datetime | None,
) -> tuple[str, list[Any]]:
    postgres = connection.dialect.name == "postgresql"
    marks = iter(f"${i}" for i in range(1, 5)) if postgres else repeat("?")
    clauses = [f"symbol = {next(marks)}", f"timeframe = {next(marks)}"]
    params: list[Any] = [symbol, timeframe]
    for bound, operator in ((start, ">="), (end, "<")):
        if bound is not None:
            clauses.append(f"ts {operator} {next(marks)}")
            params.append(bound if postgres else _sqlite_time(bound))
    return " AND ".join(clauses), params


def _sqlite_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


async def _copy_in(driver: Any, frame: BarFrame, source: str) -> int:
    if await _copies_directly(driver, frame, source):
        return len(frame)
    await driver.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS {_STAGE} (symbol text, timeframe text, "
        "ts timestamptz, open float8, high float8, low float8, close float8, volume float8, "
        "source text)"
    )
    await driver.execute(f"TRUNCATE {_STAGE}")
    await driver.copy_to_table(
        _STAGE, source=_copy_stream(frame, source), columns=_COLUMNS.split(", "), format="binary"
    )
    status = await driver.execute(
        f"INSERT INTO bars ({_COLUMNS}) SELECT {_COLUMNS} FROM {_STAGE} "
        "ON CONFLICT (symbol, timeframe, ts) DO NOTHING"
    )
    return int(status.rsplit(" ", 1)[-1])


async def _copies_directly(driver: Any, frame: BarFrame, source: str) -> bool:
    """COPY straight into ``bars`` when no stored bar can conflict (the usual forward backfill).

    Skipping the staging table and the speculative insertion of ``ON CONFLICT``
    makes this path markedly faster. It runs under a savepoint: if a concurrent
    writer stored one of the bars meanwhile (unique violation), it rolls back
    and the caller takes the staged path.
    """
    if len(frame) > 1 and not bool(np.all(frame.ts[1:] > frame.ts[:-1])):
        return False
    first, last = (datetime.fromtimestamp(int(t), tz=UTC) for t in (frame.ts[0], frame.ts[-1]))
    overlap = await driver.fetchval(
        "SELECT 1 FROM bars WHERE symbol = $1 AND timeframe = $2 AND ts >= $3 AND ts <= $4 LIMIT 1",
        frame.symbol,
        frame.timeframe,
        first,
        last,
    )
    if overlap:
        return False
    try:
        async with driver.transaction():
            await driver.copy_to_table(
                "bars",
                source=_copy_stream(frame, source),
                columns=_COLUMNS.split(", "),
                format="binary",
            )
    except Exception as error:
        if getattr(error, "sqlstate", None) != _UNIQUE_VIOLATION:
            raise
        log.info(
            "direct COPY of %s %s met a concurrent writer; staging", frame.symbol, frame.timeframe
        )
        return False
    return True


async def _copy_stream(frame: BarFrame, source: str) -> AsyncIterator[bytes]:
    """Binary COPY rows of the frame, one chunk of bytes at a time to bound memory."""
    texts = [value.encode() for value in (frame.symbol, frame.timeframe, source)]
    fields: list[tuple[str, str]] = [("count", ">i2")]
    for index, (name, kind) in enumerate(
        [("symbol", f"S{len(texts[0])}"), ("timeframe", f"S{len(texts[1])}"), ("ts", ">i8")]
        + [(name, ">f8") for name in _PRICES]
        + [("source", f"S{len(texts[2])}")]
    ):
        fields += [(f"len{index}", ">i4"), (name, kind)]
    dtype = np.dtype(fields)
    yield _COPY_HEADER
    for begin in range(0, len(frame), _COPY_CHUNK):
        part = frame.take(slice(begin, begin + _COPY_CHUNK))
        rows = np.empty(len(part), dtype=dtype)
        rows["count"] = 9
        for index, name in enumerate(("symbol", "timeframe", "ts", *_PRICES, "source")):
            rows[f"len{index}"] = dtype[name].itemsize
        rows["symbol"], rows["timeframe"], rows["source"] = texts
        rows["ts"] = (part.ts - _PG_EPOCH_S) * 1_000_000
        for name in _PRICES:
            rows[name] = getattr(part, name)
        yield rows.tobytes()
    yield _COPY_TRAILER


async def _copy_out(driver: Any, query: str, params: list[Any]) -> bytes:
    chunks: list[bytes] = []

    async def sink(chunk: bytes) -> None:
        chunks.append(bytes(chunk))

    await driver.copy_from_query(query, *params, output=sink, format="binary")
    data = b"".join(chunks)
    return (
        data[len(_COPY_HEADER) : -len(_COPY_TRAILER)] if len(data) > len(_COPY_HEADER) + 2 else b""
    )


async def _executemany(driver: Any, frame: BarFrame, source: str) -> int:
    statement = (
        f"INSERT INTO bars ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (symbol, timeframe, ts) DO NOTHING"
    )
    stored = 0
    for begin in range(0, len(frame), _SQLITE_CHUNK):
        part = frame.take(slice(begin, begin + _SQLITE_CHUNK))
        rows = zip(
            repeat(frame.symbol),
            repeat(frame.timeframe),
            _sqlite_stamps(part.ts),
            *(getattr(part, name).tolist() for name in _PRICES),
            repeat(source),
        )
        cursor = await driver.executemany(statement, rows)
        stored += max(cursor.rowcount, 0)
        await cursor.close()
    return stored


def _sqlite_stamps(ts: np.ndarray) -> list[str]:
    """Epoch seconds as SQLAlchemy stores datetimes in SQLite: ``2024-01-31 08:00:00.000000``.

    The text is the key of the unique index, so it must match byte for byte;
    numpy writes ``T`` between date and time, replaced here in place.
    """
    stamps = np.datetime_as_string(ts.astype("datetime64[s]"), unit="us")
    stamps.view(np.uint32).reshape(len(stamps), -1)[:, 10] = ord(" ")
    return stamps.tolist()


async def _sqlite_rows(driver: Any, query: str, params: list[Any], width: int) -> np.ndarray:
    parts = []
    cursor = await driver.execute(query, params)
    try:
        while rows := await cursor.fetchmany(_SQLITE_CHUNK):
            parts.append(np.array(rows, dtype=np.float64).reshape(-1, width))
    finally:
        await cursor.close()
    return np.concatenate(parts) if parts else np.empty((0, width), dtype=np.float64)


async def read_sources(
    connection: AsyncConnection,
    symbol: str,
    timeframe: str,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
) -> np.ndarray:
    """Return the ``source`` of each stored bar in range, oldest first (as read_frame orders)."""
    query = select(bars.c.source).where(bars.c.symbol == symbol, bars.c.timeframe == timeframe)
    if start is not None:
        query = query.where(bars.c.ts >= start)
    if end is not None:
        query = query.where(bars.c.ts < end)
    values = (await connection.execute(query.order_by(bars.c.ts))).scalars().all()
    return np.array(values, dtype=object)
