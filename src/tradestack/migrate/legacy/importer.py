"""``migrate import-legacy``: map, validate and store legacy rows, then prove what arrived.

Rows are written in batches, each with its ``legacy_records`` entries in the
same transaction, so a re-run skips exactly what is already there. The report
counts rows per table and per order status on both sides, totals balances per
asset on both sides, and lists every source row that did not arrive with its
reason.
"""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from tradestack.errors import LegacyImportError
from tradestack.migrate.legacy.convert import MappedRow, RowRejected, map_row, source_value
from tradestack.migrate.legacy.mapping import LegacyMapping, TableMapping
from tradestack.migrate.legacy.sources import LegacySource
from tradestack.storage import migrations
from tradestack.storage.database import Database
from tradestack.storage.repositories import legacy as store


@dataclass(frozen=True, slots=True)
class RejectedRow:
    table: str
    source: str
    row: int
    original_id: str
    reason: str


@dataclass
class TableReport:
    table: str
    source: str
    found: bool = True
    source_rows: int = 0
    imported: int = 0
    already: int = 0
    arrived: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)
    source_statuses: Counter[str] = field(default_factory=Counter)
    target_statuses: Counter[str] = field(default_factory=Counter)
    source_totals: dict[str, Decimal] = field(default_factory=dict)
    target_totals: dict[str, Decimal] = field(default_factory=dict)

    @property
    def accounted(self) -> bool:
        """Every source row either arrived (now or before) or is listed as rejected."""
        accepted = self.imported + self.already
        return self.source_rows == accepted + len(self.rejected) and self.arrived == accepted


@dataclass
class ImportReport:
    import_id: str
    tables: list[TableReport] = field(default_factory=list)

    @property
    def rejected(self) -> list[RejectedRow]:
        return [row for table in self.tables for row in table.rejected]

    @property
    def complete(self) -> bool:
        return all(table.accounted for table in self.tables) and not self.rejected


async def import_legacy(location: str, database_url: str, mapping: LegacyMapping) -> ImportReport:
    """Import every mapped table found at ``location`` into the database at ``database_url``."""
    source = LegacySource(location)
    db = Database(database_url)
    report = ImportReport(import_id=f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}")
    try:
        await db.check()
        if await migrations.current(db.engine) != migrations.head():
            raise LegacyImportError(
                "the database is not at the newest revision: run 'tradestack db upgrade'"
            )
        for table in mapping.tables.values():
            report.tables.append(await _import_table(source, db, table, mapping, report.import_id))
    finally:
        await db.dispose()
    return report


async def _import_table(
    source: LegacySource, db: Database, table: TableMapping, mapping: LegacyMapping, import_id: str
) -> TableReport:
    report = TableReport(table=table.table, source=source.describe(table.source))
    if not await source.exists(table.source):
        report.found = False
        return report
    async with db.read() as connection:
        done = await store.imported_ids(connection, table.source)
    seen: dict[str, int] = {}
    async for batch in source.rows(table.source):
        accepted = [
            row
            for row in (_accept(n, raw, table, mapping, report, seen) for n, raw in batch)
            if row
        ]
        fresh = [row for row in accepted if row.original_id not in done]
        report.already += len(accepted) - len(fresh)
        await _store(db, table, fresh, import_id, report)
    await _read_back(db, table, report)
    return report


def _accept(
    number: int,
    raw: dict[str, Any],
    table: TableMapping,
    mapping: LegacyMapping,
    report: TableReport,
    seen: dict[str, int],
) -> MappedRow | None:
    report.source_rows += 1
    _count_source(raw, table, report)
    try:
        row = map_row(number, raw, table, mapping)
    except RowRejected as error:
        original = ":".join(str(raw.get(c, "") or "") for c in table.original_id)
        report.rejected.append(
            RejectedRow(table.table, report.source, number, original, str(error))
        )
        return None
    if row.original_id in seen:
        reason = f"duplicate of row {seen[row.original_id]} (same original id)"
        report.rejected.append(
            RejectedRow(table.table, report.source, number, row.original_id, reason)
        )
        return None
    seen[row.original_id] = number
    return row


def _count_source(raw: dict[str, Any], table: TableMapping, report: TableReport) -> None:
    rules = {rule.column: rule for rule in table.rules}
    if table.table == "orders" and "status" in rules:
        value = source_value(raw, rules["status"])
        mapped = (rules["status"].value_map or {}).get(value.lower(), value)
        report.source_statuses[str(mapped) or "(none)"] += 1
    if table.table == "balances" and {"asset", "free"} <= set(rules):
        asset = source_value(raw, rules["asset"]) or "(none)"
        total = _number(source_value(raw, rules["free"])) + _number(
            source_value(raw, rules["locked"]) if "locked" in rules else ""
        )
        report.source_totals[asset] = report.source_totals.get(asset, Decimal(0)) + total


def _number(text: str) -> Decimal:
    try:
        return Decimal(text) if text else Decimal(0)
    except ArithmeticError:
        return Decimal(0)


async def _store(
    db: Database, table: TableMapping, rows: list[MappedRow], import_id: str, report: TableReport
) -> None:
    if not rows:
        return
    async with db.transaction() as connection:
        inserted = await store.insert_new(connection, table.table, [row.values for row in rows])
        generated = table.table == "signals"
        if generated:
            pairs = list(zip([row.original_id for row in rows], inserted, strict=True))
        else:
            made = set(inserted)
            pairs = []
            for row in rows:
                key = store.target_key(table.table, row.values)
                if key in made:
                    pairs.append((row.original_id, key))
                else:
                    report.rejected.append(
                        RejectedRow(
                            table.table,
                            report.source,
                            row.number,
                            row.original_id,
                            f"{table.table} {key} already exists and did not come from it",
                        )
                    )
        await store.record_imports(
            connection,
            source_table=table.source,
            target_table=table.table,
            import_id=import_id,
            keys=pairs,
        )
    report.imported += len(pairs)


async def _read_back(db: Database, table: TableMapping, report: TableReport) -> None:
    async with db.read() as connection:
        async for rows in store.imported_rows(connection, table.source):
            report.arrived += len(rows)
            for row in rows:
                if table.table == "orders":
                    report.target_statuses[row["status"]] += 1
                if table.table == "balances":
                    total = row["free"] + row["locked"]
                    report.target_totals[row["asset"]] = (
                        report.target_totals.get(row["asset"], Decimal(0)) + total
                    )
