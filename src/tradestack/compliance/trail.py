"""The audit trail as one list of records: orders, fills, risk decisions, manual actions, alerts.

Orders, risk decisions, manual actions and alerts come from the append-only
``events`` table; fills from the ``fills`` table (one row per execution).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tradestack.storage.database import Database
from tradestack.storage.repositories.analytics import events_between, fills_between

PREFIXES = ("order.", "risk.", "manual.", "alert.", "assistant.")
COLUMNS = (
    "ts",
    "category",
    "event_type",
    "record_id",
    "trader_id",
    "actor",
    "subject",
    "summary",
    "details",
)


@dataclass(frozen=True, slots=True)
class AuditRecord:
    ts: datetime
    category: str
    """``order``, ``fill``, ``risk``, ``manual``, ``alert`` or ``assistant``."""
    event_type: str
    record_id: str
    trader_id: str | None
    actor: str
    """Who acted: a service (``strategy``, ``alerts``) or a person (``cli:alice``)."""
    subject: str | None
    summary: str
    details: str
    """The full payload as JSON text."""


async def audit_records(
    db: Database, start: datetime | None = None, end: datetime | None = None
) -> list[AuditRecord]:
    """Every audited record with ``start <= ts < end``, oldest first."""
    async with db.read() as connection:
        rows = await events_between(connection, start, end, prefixes=PREFIXES)
        fills = await fills_between(connection, start, end)
    records = [_from_event(row) for row in rows]
    records += [
        AuditRecord(
            ts=f.ts,
            category="fill",
            event_type="fill",
            record_id=f.trade_id,
            trader_id=f.trader_id,
            actor="venue",
            subject=f.client_order_id,
            summary=f"{f.side} {f.quantity} {f.symbol} @ {f.price} fee {f.fee} {f.fee_asset}",
            details=_json(
                {
                    "liquidity": f.liquidity,
                    "position_side": f.position_side.value,
                    "fee": str(f.fee),
                    "fee_asset": f.fee_asset,
                }
            ),
        )
        for f in fills
    ]
    records.sort(key=lambda r: (r.ts, r.record_id))
    return records


def _from_event(row: Any) -> AuditRecord:
    payload: dict[str, Any] = row.payload or {}
    event_type: str = row.event_type
    category = event_type.split(".", 1)[0]
    actor, subject, summary = row.source_service, None, event_type
    if category == "order":
        order = payload.get("order") or {}
        subject = order.get("client_order_id")
        summary = (
            f"{payload.get('status', '')} {order.get('side')} {order.get('quantity')} "
            f"{order.get('symbol')}".strip()
        )
        if payload.get("reason"):
            summary += f": {payload['reason']}"
    elif category == "risk":
        subject = payload.get("rule")
        summary = str(payload.get("reason") or "")
    elif category == "manual":
        actor = str(payload.get("actor") or actor)
        subject = payload.get("target")
        summary = str(payload.get("action") or "")
    elif category == "assistant":
        subject = payload.get("tool") or payload.get("confirmation_id") or None
        actor = str(payload.get("actor") or payload.get("decided_by") or actor)
        summary = f"{event_type.split('.', 1)[1]}: {payload.get('status') or ''}".strip(": ")
    elif category == "alert":
        subject = payload.get("subject") or None
        summary = f"{payload.get('type')}: {payload.get('message', 'resolved')}"
    return AuditRecord(
        ts=row.ts,
        category=category,
        event_type=event_type,
        record_id=row.event_id,
        trader_id=row.trader_id,
        actor=actor,
        subject=str(subject) if subject is not None else None,
        summary=summary,
        details=_json(payload),
    )


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
