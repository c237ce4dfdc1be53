"""Export the audit trail for a period to CSV or Parquet, and read an export back."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Literal

from tradestack.compliance.trail import COLUMNS, AuditRecord, audit_records
from tradestack.storage.database import Database

Format = Literal["csv", "parquet"]


async def export_audit(
    db: Database, path: Path, *, start: datetime | None, end: datetime | None, format: Format
) -> int:
    """Write every audited record with ``start <= ts < end`` to ``path``; return the count."""
    records = await audit_records(db, start, end)
    path.parent.mkdir(parents=True, exist_ok=True)
    if format == "csv":
        write_csv(records, path)
    else:
        from tradestack.compliance.parquet import write_parquet

        write_parquet(records, path)
    return len(records)


def write_csv(records: Sequence[AuditRecord], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for r in records:
            writer.writerow(
                [
                    r.ts.isoformat(),
                    r.category,
                    r.event_type,
                    r.record_id,
                    r.trader_id or "",
                    r.actor,
                    r.subject or "",
                    r.summary,
                    r.details,
                ]
            )


def read_csv(path: Path) -> list[AuditRecord]:
    """Read a CSV export back (empty trader and subject cells read as None)."""
    with path.open(newline="", encoding="utf-8") as handle:
        return [
            AuditRecord(
                ts=datetime.fromisoformat(row["ts"]),
                category=row["category"],
                event_type=row["event_type"],
                record_id=row["record_id"],
                trader_id=row["trader_id"] or None,
                actor=row["actor"],
                subject=row["subject"] or None,
                summary=row["summary"],
                details=row["details"],
            )
            for row in csv.DictReader(handle)
        ]


def read_export(path: Path) -> list[AuditRecord]:
    if path.suffix == ".parquet":
        from tradestack.compliance.parquet import read_parquet

        return read_parquet(path)
    return read_csv(path)
