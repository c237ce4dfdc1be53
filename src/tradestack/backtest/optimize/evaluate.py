"""One evaluation of one parameter point, and the per-process state parallel searches share.

A search's bars are loaded once per worker process (``install``): the pool's
initializer receives them, so each point costs only its backtest.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tradestack.backtest.config import BacktestConfig
from tradestack.backtest.metrics import compute
from tradestack.backtest.optimize.objective import Objective
from tradestack.backtest.series import BarSeries
from tradestack.backtest.service import run
from tradestack.errors import ConfigError


@dataclass(frozen=True, slots=True)
class Job:
    """What every point of a search shares: base configuration, engine and objective."""

    config: BacktestConfig
    engine: str
    objective: Objective


@dataclass(frozen=True, slots=True)
class PointResult:
    """A point's score and headline metrics; ``feasible`` is False when the strategy refused it."""

    params: dict[str, Any]
    value: float
    feasible: bool = True
    metrics: dict[str, Any] = field(default_factory=dict)
    worker: str | None = None
    number: int | None = None


_state: dict[str, Any] = {}


def install(series: BarSeries, job: Job) -> None:
    """Keep the bars and the job in this process (a pool initializer)."""
    _state["series"], _state["job"] = series, job


def evaluate_installed(params: Mapping[str, Any]) -> PointResult:
    return evaluate(_state["series"], _state["job"], params)


def evaluate(series: BarSeries, job: Job, params: Mapping[str, Any]) -> PointResult:
    """Backtest ``params`` over ``series``; a point the strategy rejects is infeasible."""
    config = dataclasses.replace(job.config, params={**job.config.params, **params})
    try:
        result = run(series, config, job.engine)
    except ConfigError:
        worst = -math.inf if job.objective.maximize else math.inf
        return PointResult(dict(params), worst, feasible=False)
    metrics = compute(result)
    headline = {
        "return_pct": metrics.total_return_pct,
        "sharpe": metrics.sharpe,
        "max_drawdown_pct": metrics.max_drawdown_pct,
        "trades": metrics.trades,
    }
    return PointResult(dict(params), job.objective.score(metrics), metrics=headline)
