"""Stored backtest runs: a newest-first list, and one run with its trades and equity curve."""

from __future__ import annotations

import dataclasses

from fastapi import APIRouter, Path, Query

from tradestack.api.backtest_schemas import BacktestDetail, BacktestPage, BacktestSummary
from tradestack.api.deps import DatabaseDep
from tradestack.backtest.store import find_run, find_runs

router = APIRouter(tags=["backtests"])


@router.get("/backtests", response_model=BacktestPage)
async def get_backtests(
    db: DatabaseDep,
    strategy: str | None = None,
    symbol: str | None = None,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=1_000_000_000),  # a larger one overflows SQL integers
) -> BacktestPage:
    runs = await find_runs(db, strategy=strategy, symbol=symbol, limit=limit, offset=offset)
    items = [BacktestSummary.model_validate(dataclasses.asdict(run)) for run in runs]
    return BacktestPage(items=items, limit=limit, offset=offset)


@router.get("/backtests/{backtest_id}", response_model=BacktestDetail)
async def get_backtest(
    db: DatabaseDep, backtest_id: int = Path(ge=1, le=2**63 - 1)
) -> BacktestDetail:
    return BacktestDetail.model_validate(dataclasses.asdict(await find_run(db, backtest_id)))
