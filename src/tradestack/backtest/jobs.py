"""Backtests started from the API: each runs in a worker thread and reports its stage.

``start`` returns a job id at once; ``get`` tells the stage (loading, running,
storing, done or failed), a progress share and, when done, the stored run id
that ``GET /api/v1/backtests/{id}`` opens. Jobs live in the serving process
(a restart forgets unfinished ones; finished runs are stored).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime

from tradestack.backtest import metrics as backtest_metrics
from tradestack.backtest.config import BacktestConfig
from tradestack.backtest.loading import load_stored
from tradestack.backtest.service import resolve_params, run
from tradestack.backtest.store import save_run
from tradestack.errors import TradestackError
from tradestack.storage.database import Database

log = logging.getLogger(__name__)
_STAGES = {"queued": 0.0, "loading": 0.1, "running": 0.3, "storing": 0.9, "done": 1.0}


@dataclass(slots=True)
class BacktestJob:
    job_id: str
    strategy: str
    symbol: str
    timeframe: str
    stage: str = "queued"
    progress: float = 0.0
    bars: int | None = None
    backtest_id: int | None = None
    error: str | None = None
    started: float = field(default_factory=time.monotonic)
    elapsed_s: float = 0.0

    def move(self, stage: str) -> None:
        self.stage = stage
        self.progress = _STAGES.get(stage, self.progress)
        self.elapsed_s = round(time.monotonic() - self.started, 3)


class BacktestJobs:
    """The backtests of one process; at most ``limit`` are kept (oldest forgotten first)."""

    def __init__(self, db: Database, *, limit: int = 100) -> None:
        self.db = db
        self.limit = limit
        self.jobs: dict[str, BacktestJob] = {}
        self._ids = itertools.count(1)
        self._tasks: set[asyncio.Task[None]] = set()

    def start(
        self,
        config: BacktestConfig,
        *,
        symbol: str,
        timeframe: str,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> BacktestJob:
        """Check the strategy and parameters now (ConfigError), then run in the background."""
        config = resolve_params(config)
        job = BacktestJob(f"bt-{next(self._ids)}", config.strategy, symbol, timeframe)
        self.jobs[job.job_id] = job
        while len(self.jobs) > self.limit:
            self.jobs.pop(next(iter(self.jobs)))
        task = asyncio.create_task(self._run(job, config, start, end))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return job

    def get(self, job_id: str) -> BacktestJob | None:
        return self.jobs.get(job_id)

    async def _run(
        self, job: BacktestJob, config: BacktestConfig, start: datetime | None, end: datetime | None
    ) -> None:
        try:
            job.move("loading")
            series = await load_stored(
                self.db, symbol=job.symbol, timeframe=job.timeframe, start=start, end=end
            )
            job.bars = len(series)
            job.move("running")
            result = await asyncio.to_thread(run, series, config)
            figures = await asyncio.to_thread(backtest_metrics.compute, result)
            job.move("storing")
            job.backtest_id = await save_run(self.db, result, figures)
            job.move("done")
        except (TradestackError, ValueError) as error:
            job.error = str(error)
            job.move("failed")
        except Exception as error:  # a job must end in a state the browser can show
            log.exception("backtest job %s failed", job.job_id)
            job.error = f"internal error: {error}"
            job.move("failed")

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
