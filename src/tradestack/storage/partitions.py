"""Monthly partitions of the PostgreSQL bars table, created on demand before rows arrive.

Migration 0002 makes ``bars`` a range-partitioned table by month when
TimescaleDB is absent, with a default partition for rows of months that have
none yet (so any writer succeeds). Tradestack's write paths call
``ensure_bar_partitions`` with the time range they are about to store; it
creates the missing months, first moving any rows of that month out of the
default partition. It is a no-op on SQLite, on a TimescaleDB hypertable (which
makes its own chunks) and when the partitions exist (one catalog query);
creating partitions is serialised by a transaction advisory lock.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

_LOCK_KEY = 0x7472_6164_6573  # "trades": one lock id for partition DDL
DEFAULT_PARTITION = "bars_default"
_EXISTING = text(
    """
    SELECT parent.relkind::text, child.relname::text
    FROM pg_class parent
    LEFT JOIN pg_inherits inh ON inh.inhparent = parent.oid
    LEFT JOIN pg_class child ON child.oid = inh.inhrelid
    WHERE parent.oid = to_regclass('bars')
    """
)


def partition_name(month: datetime) -> str:
    return f"bars_y{month.year:04d}m{month.month:02d}"


def months_between(first_s: int, last_s: int) -> list[datetime]:
    """Month starts (UTC) of every month touched by ``[first_s, last_s]``."""
    first = datetime.fromtimestamp(first_s, tz=UTC)
    last = datetime.fromtimestamp(last_s, tz=UTC)
    months = [datetime(first.year, first.month, 1, tzinfo=UTC)]
    while months[-1] < datetime(last.year, last.month, 1, tzinfo=UTC):
        months.append(_next_month(months[-1]))
    return months


async def ensure_bar_partitions(connection: AsyncConnection, first_s: int, last_s: int) -> None:
    """Make sure partitions exist for every month in ``[first_s, last_s]`` (epoch seconds)."""
    if connection.dialect.name != "postgresql":
        return
    rows = (await connection.execute(_EXISTING)).all()
    if not rows or rows[0][0] != "p":
        return
    existing = {name for _, name in rows if name}
    has_default = DEFAULT_PARTITION in existing
    wanted = {partition_name(m): m for m in months_between(first_s, last_s)}
    missing = [m for name, m in wanted.items() if name not in existing]
    if not missing:
        return
    await connection.execute(text(f"SELECT pg_advisory_xact_lock({_LOCK_KEY})"))
    for month in missing:
        await _create(connection, month, has_default)


async def _create(connection: AsyncConnection, month: datetime, has_default: bool) -> None:
    name = partition_name(month)
    bounds = f"FROM ('{month.isoformat()}') TO ('{_next_month(month).isoformat()}')"
    stray = (
        has_default
        and (
            await connection.execute(
                text(f"SELECT 1 FROM {DEFAULT_PARTITION} WHERE ts >= :start AND ts < :end LIMIT 1"),
                {"start": month, "end": _next_month(month)},
            )
        ).first()
    )
    if not stray:
        await connection.execute(
            text(f"CREATE TABLE IF NOT EXISTS {name} PARTITION OF bars FOR VALUES {bounds}")
        )
        return
    # Rows of this month wait in the default partition: move them into the new one.
    await connection.execute(
        text(f"CREATE TABLE {name} (LIKE bars INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
    )
    await connection.execute(
        text(
            f"WITH moved AS (DELETE FROM {DEFAULT_PARTITION} WHERE ts >= :start AND ts < :end "
            f"RETURNING *) INSERT INTO {name} SELECT * FROM moved"
        ),
        {"start": month, "end": _next_month(month)},
    )
    await connection.execute(text(f"ALTER TABLE bars ATTACH PARTITION {name} FOR VALUES {bounds}"))


def _next_month(month: datetime) -> datetime:
    return datetime(month.year + month.month // 12, month.month % 12 + 1, 1, tzinfo=UTC)
