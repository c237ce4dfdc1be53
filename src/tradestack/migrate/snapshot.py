"""The state of a database at one moment: its revision and, per table, row count and digest."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncConnection

from tradestack.domain.timeframes import Timeframe
from tradestack.migrate.fingerprint import TableFingerprint
from tradestack.migrate.manifest import TableEntry
from tradestack.storage.inventory import count_rows, data_tables, stream_rows
from tradestack.storage.migrations import revision_of
from tradestack.storage.repositories.bars import stored_series

BATCH_ROWS = 20_000
# The toolkit writes to this table itself (a row per backup), so its count is no evidence.
BOOKKEEPING_TABLES = frozenset({"schema_backups"})


@dataclass(frozen=True, slots=True)
class DatabaseState:
    revision: str | None
    tables: dict[str, TableEntry]

    @property
    def total_rows(self) -> int:
        return sum(entry.rows for entry in self.tables.values())


async def read_state(
    connection: AsyncConnection, *, digests: bool = True, batch_rows: int = BATCH_ROWS
) -> DatabaseState:
    """Read the revision and every data table's count (and digest, reading every row)."""
    tables: dict[str, TableEntry] = {}
    for table in await data_tables(connection):
        if not digests:
            tables[table.name] = TableEntry(rows=await count_rows(connection, table), digest="")
            continue
        fingerprint = TableFingerprint.for_table(table)
        stream = stream_rows(connection, table, batch_rows=batch_rows, portable_order=True)
        async for batch in stream:
            fingerprint.add(batch)
        tables[table.name] = TableEntry(rows=fingerprint.rows, digest=fingerprint.digest)
    return DatabaseState(revision=await revision_of(connection), tables=tables)


def differences(
    expected: DatabaseState, actual: DatabaseState, *, ignore: frozenset[str] = frozenset()
) -> list[str]:
    """Describe every way ``actual`` differs from ``expected``; digests count when both have one."""
    problems = []
    if expected.revision != actual.revision:
        have, want = actual.revision or "base", expected.revision or "base"
        problems.append(f"revision is {have}, expected {want}")
    names = (set(expected.tables) | set(actual.tables)) - ignore
    for name in sorted(names):
        want, have = expected.tables.get(name), actual.tables.get(name)
        if want is None:
            problems.append(f"table {name} should not exist")
        elif have is None:
            problems.append(f"table {name} is missing")
        elif want.rows != have.rows:
            problems.append(f"table {name} has {have.rows} rows, expected {want.rows}")
        elif want.digest and have.digest and want.digest != have.digest:
            problems.append(f"table {name} content differs (digest {have.digest} != {want.digest})")
    return problems


async def missing_bars(connection: AsyncConnection) -> dict[str, int]:
    """Count, per stored bar series, the bars missing between its first and last bar.

    One grouped query (count, first, last), cheap even for millions of bars.
    """
    if "bars" not in {table.name for table in await data_tables(connection)}:
        return {}
    out = {}
    for symbol, timeframe, count, first, last in await stored_series(connection):
        try:
            seconds = Timeframe.parse(timeframe).seconds
        except ValueError:
            continue
        expected = int((last - first).total_seconds() // seconds) + 1
        out[f"{symbol} {timeframe}"] = max(expected - count, 0)
    return out
