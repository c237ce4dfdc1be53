"""Alerts: one row per (rule, subject) while its condition holds; resolved, acknowledged."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from tradestack.domain.alerts import Alert, Severity
from tradestack.storage.tables import alerts


async def insert_alert(
    connection: AsyncConnection,
    *,
    type: str,
    severity: Severity,
    subject: str,
    message: str,
    details: dict[str, Any],
    raised_at: datetime,
) -> Alert:
    values = {
        "type": type,
        "severity": severity.value,
        "subject": subject,
        "message": message,
        "details": details,
        "acknowledged": False,
        "raised_at": raised_at,
    }
    result = await connection.execute(alerts.insert().returning(alerts.c.id), values)
    return Alert(
        alert_id=int(result.scalar_one()),
        type=type,
        severity=severity,
        subject=subject,
        message=message,
        details=details,
        raised_at=raised_at,
    )


async def resolve_alert(connection: AsyncConnection, alert_id: int, resolved_at: datetime) -> bool:
    """Mark an active alert resolved; return False when it was already resolved or is unknown."""
    result = await connection.execute(
        alerts.update()
        .where(alerts.c.id == alert_id, alerts.c.resolved_at.is_(None))
        .values(resolved_at=resolved_at)
    )
    return bool(result.rowcount)


async def acknowledge_alert(
    connection: AsyncConnection, alert_id: int, *, by: str, at: datetime
) -> bool:
    """Acknowledge an alert once; return False when it does not exist."""
    result = await connection.execute(
        alerts.update()
        .where(alerts.c.id == alert_id, alerts.c.acknowledged.is_(False))
        .values(acknowledged=True, acknowledged_by=by, acknowledged_at=at)
    )
    if result.rowcount:
        return True
    return await get_alert(connection, alert_id) is not None


async def get_alert(connection: AsyncConnection, alert_id: int) -> Alert | None:
    row = (await connection.execute(select(alerts).where(alerts.c.id == alert_id))).first()
    return _to_alert(row) if row is not None else None


async def list_alerts(
    connection: AsyncConnection,
    *,
    active_only: bool = False,
    unacknowledged_only: bool = False,
    limit: int = 100,
) -> list[Alert]:
    """Return alerts newest first."""
    query = select(alerts).order_by(alerts.c.raised_at.desc(), alerts.c.id.desc()).limit(limit)
    if active_only:
        query = query.where(alerts.c.resolved_at.is_(None))
    if unacknowledged_only:
        query = query.where(alerts.c.acknowledged.is_(False))
    return [_to_alert(row) for row in (await connection.execute(query)).all()]


def _to_alert(row: Any) -> Alert:
    return Alert(
        alert_id=int(row.id),
        type=row.type,
        severity=Severity(row.severity),
        subject=row.subject,
        message=row.message,
        details=dict(row.details or {}),
        acknowledged=bool(row.acknowledged),
        acknowledged_by=row.acknowledged_by,
        acknowledged_at=row.acknowledged_at,
        raised_at=row.raised_at,
        resolved_at=row.resolved_at,
    )
