"""Alerts: list what the rules raised, and acknowledge one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel

from tradestack.alerts import service
from tradestack.api.deps import ActorDep, DatabaseDep
from tradestack.api.errors import error_responses
from tradestack.api.security import TraderDep, ViewerDep
from tradestack.domain.alerts import Alert

router = APIRouter(prefix="/alerts", tags=["alerts"])


class AlertOut(BaseModel):
    id: int
    type: str
    severity: str
    subject: str
    message: str
    details: dict[str, Any]
    acknowledged: bool
    acknowledged_by: str | None
    acknowledged_at: datetime | None
    time: datetime
    resolved_at: datetime | None
    active: bool


def alert_out(alert: Alert) -> AlertOut:
    return AlertOut(
        id=alert.alert_id,
        type=alert.type,
        severity=alert.severity.value,
        subject=alert.subject,
        message=alert.message,
        details=alert.details,
        acknowledged=alert.acknowledged,
        acknowledged_by=alert.acknowledged_by,
        acknowledged_at=alert.acknowledged_at,
        time=alert.raised_at,
        resolved_at=alert.resolved_at,
        active=alert.active,
    )


@router.get("", response_model=list[AlertOut], responses=error_responses(401, 403, 422, 429))
async def list_alerts(
    db: DatabaseDep,
    _who: ViewerDep,
    active: bool = Query(False, description="only alerts whose condition still holds"),
    unacknowledged: bool = Query(False, description="only alerts nobody acknowledged"),
    limit: int = Query(100, ge=1, le=10_000),
) -> list[AlertOut]:
    """Alerts newest first."""
    found = await service.find_alerts(
        db, active_only=active, unacknowledged_only=unacknowledged, limit=limit
    )
    return [alert_out(a) for a in found]


@router.post(
    "/{alert_id}/ack",
    response_model=AlertOut,
    responses=error_responses(401, 403, 404, 422, 429),
)
async def acknowledge_alert(
    db: DatabaseDep,
    _who: TraderDep,
    actor: ActorDep,
    alert_id: int = Path(ge=1, le=2**63 - 1),
) -> AlertOut:
    """Acknowledge an alert (idempotent; trader role); it goes on the audit trail."""
    return alert_out(await service.acknowledge(db, alert_id, actor=actor, source="api"))
