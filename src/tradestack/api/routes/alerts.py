"""Alerts raised by the platform (``alert.raised`` events), newest first; read-only."""

from __future__ import annotations

from fastapi import APIRouter, Query

from tradestack.alerts.queries import find_alerts
from tradestack.api.deps import DatabaseDep
from tradestack.api.errors import error_responses
from tradestack.api.schemas import AlertOut

router = APIRouter(tags=["system"])


@router.get("/alerts", response_model=list[AlertOut], responses=error_responses(401, 403, 422, 429))
async def get_alerts(
    db: DatabaseDep,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
) -> list[AlertOut]:
    return [
        AlertOut(
            event_id=e.event_id,
            ts=e.ts,
            source_service=e.source_service,
            trader_id=e.trader_id,
            payload=e.payload,
        )
        for e in await find_alerts(db, limit=limit, offset=offset)
    ]
