"""Backtests started from the browser: start returns a job id, progress is polled by id."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request, status
from pydantic import BaseModel, Field

from tradestack.api.errors import error_responses
from tradestack.api.security import TraderDep, ViewerDep
from tradestack.backtest.config import BacktestConfig
from tradestack.backtest.jobs import BacktestJob, BacktestJobs
from tradestack.domain.timeframes import symbol_from_path
from tradestack.errors import ConfigError, NotFoundError

router = APIRouter(prefix="/backtests/jobs", tags=["backtests"])


class BacktestIn(BaseModel):
    strategy: str = "sma_cross"
    params: dict[str, Any] = Field(default_factory=dict)
    symbol: str = "BTC/USDT"
    timeframe: str = "1m"
    start: datetime | None = None
    end: datetime | None = None
    cash: Decimal = Field(default=Decimal(10_000), gt=0)
    fee_rate: Decimal = Field(default=Decimal("0.001"), ge=0, lt=Decimal("0.1"))
    lot_size: Decimal = Field(default=Decimal("0.0001"), gt=0)


class BacktestJobOut(BaseModel):
    job_id: str
    strategy: str
    symbol: str
    timeframe: str
    stage: str = Field(description="queued, loading, running, storing, done or failed")
    progress: float = Field(description="0 to 1")
    bars: int | None
    backtest_id: int | None = Field(description="the stored run once done")
    error: str | None
    elapsed_s: float


def _jobs(request: Request) -> BacktestJobs:
    jobs: BacktestJobs | None = getattr(request.app.state, "backtest_jobs", None)
    if jobs is None:
        jobs = request.app.state.backtest_jobs = BacktestJobs(request.app.state.platform.db)
    return jobs


def _out(job: BacktestJob) -> BacktestJobOut:
    return BacktestJobOut(
        job_id=job.job_id,
        strategy=job.strategy,
        symbol=job.symbol,
        timeframe=job.timeframe,
        stage=job.stage,
        progress=job.progress,
        bars=job.bars,
        backtest_id=job.backtest_id,
        error=job.error,
        elapsed_s=job.elapsed_s,
    )


@router.post(
    "",
    response_model=BacktestJobOut,
    status_code=status.HTTP_202_ACCEPTED,
    responses=error_responses(400, 401, 403, 404, 422, 429),
)
async def start_backtest(body: BacktestIn, request: Request, _who: TraderDep) -> BacktestJobOut:
    """Start a backtest over the stored bars; poll ``GET /backtests/jobs/{job_id}``."""
    try:
        config = BacktestConfig(
            strategy=body.strategy,
            params=body.params,
            cash=body.cash,
            fee_rate=body.fee_rate,
            lot_size=body.lot_size,
        )
    except ValueError as error:
        raise ConfigError(str(error)) from None
    job = _jobs(request).start(
        config,
        symbol=symbol_from_path(body.symbol),
        timeframe=body.timeframe,
        start=_utc(body.start),
        end=_utc(body.end),
    )
    return _out(job)


@router.get(
    "/{job_id}", response_model=BacktestJobOut, responses=error_responses(401, 403, 404, 422, 429)
)
async def backtest_job(job_id: str, request: Request, _who: ViewerDep) -> BacktestJobOut:
    job = _jobs(request).get(job_id)
    if job is None:
        raise NotFoundError(f"no backtest job {job_id!r}")
    return _out(job)


def _utc(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)
