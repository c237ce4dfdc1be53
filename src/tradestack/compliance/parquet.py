"""Parquet for the audit export: the one module that imports pyarrow."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from tradestack.compliance.trail import COLUMNS, AuditRecord

SCHEMA = pa.schema(
    [("ts", pa.timestamp("us", tz="UTC"))] + [(name, pa.string()) for name in COLUMNS[1:]]
)


def write_parquet(records: Sequence[AuditRecord], path: Path) -> None:
    columns = {name: [getattr(r, name) for r in records] for name in COLUMNS}
    pq.write_table(pa.Table.from_pydict(columns, schema=SCHEMA), path)


def read_parquet(path: Path) -> list[AuditRecord]:
    rows = pq.read_table(path).to_pylist()
    return [AuditRecord(**{name: row[name] for name in COLUMNS}) for row in rows]
