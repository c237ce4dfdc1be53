"""Market-data status: per series, what is stored, what is missing, how ingest is going."""

from __future__ import annotations

import dataclasses

from fastapi import APIRouter, Query

from tradestack.api.deps import PlatformDep
from tradestack.api.schemas import SeriesStatusOut
from tradestack.marketdata.queries import data_status

router = APIRouter(prefix="/data", tags=["market data"])


@router.get("/status", response_model=list[SeriesStatusOut])
async def get_data_status(
    kernel: PlatformDep,
    gaps: bool = Query(True, description="count missing bars by calendar (scans each series)"),
) -> list[SeriesStatusOut]:
    """Per series: first/last bar, rows, gaps, sources, last ingest, rejects, archived rows."""
    statuses = await data_status(kernel.db, kernel.settings.data, gaps=gaps)
    return [SeriesStatusOut(**dataclasses.asdict(s)) for s in statuses]
