"""Grid and Bayesian search over local worker processes (one per core by default).

The grid maps feasible points over a process pool. The Bayesian search keeps
``jobs`` optuna trials in flight with ask-and-tell: the sampler lives in this
process, the backtests in the pool; constraint violations are pruned without
running.
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from typing import Any

from tradestack.backtest.optimize.evaluate import (
    Job,
    PointResult,
    evaluate,
    evaluate_installed,
    install,
)
from tradestack.backtest.optimize.space import ParamRange, SearchSpace
from tradestack.backtest.series import BarSeries
from tradestack.backtest.vector.engine import compile_kernels

Progress = Callable[[PointResult], None]


def default_jobs() -> int:
    return max(1, os.cpu_count() or 1)


def grid_search(
    series: BarSeries,
    job: Job,
    space: SearchSpace,
    *,
    jobs: int = 0,
    progress: Progress | None = None,
) -> list[PointResult]:
    """Evaluate every feasible grid point; results in grid order."""
    points = list(space.grid())
    results: list[PointResult] = []
    with _executor(series, job, jobs) as (pool, width):
        mapped: Iterator[PointResult] = (
            pool.map(evaluate_installed, points, chunksize=max(1, len(points) // (8 * width)))
            if pool is not None
            else (evaluate(series, job, p) for p in points)
        )
        for result in mapped:
            results.append(result)
            if progress is not None:
                progress(result)
    return results


def bayes_search(
    series: BarSeries,
    job: Job,
    space: SearchSpace,
    *,
    trials: int,
    jobs: int = 0,
    seed: int = 7,
    progress: Progress | None = None,
) -> list[PointResult]:
    """Run ``trials`` optuna TPE trials (pruned infeasible ones included); results by trial."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(
        direction=job.objective.direction, sampler=optuna.samplers.TPESampler(seed=seed)
    )
    results: list[PointResult] = []
    in_flight: dict[Future[PointResult], Any] = {}
    seen: dict[tuple[tuple[str, Any], ...], PointResult] = {}
    asked = 0
    with _executor(series, job, jobs) as (pool, width):
        while asked < trials or in_flight:
            while asked < trials and len(in_flight) < width:
                trial = study.ask()
                asked += 1
                params = suggest(trial, space)
                key = tuple(sorted(params.items()))
                if not space.feasible(params):
                    results.append(_pruned(study, trial, params, progress))
                elif key in seen:  # TPE repeats points in small spaces: reuse the score
                    results.append(_told(study, trial, seen[key], progress))
                elif pool is None:
                    seen[key] = evaluate(series, job, params)
                    results.append(_told(study, trial, seen[key], progress))
                else:
                    in_flight[pool.submit(evaluate_installed, params)] = trial
            if in_flight:
                done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in done:
                    result = future.result()
                    seen[tuple(sorted(result.params.items()))] = result
                    results.append(_told(study, in_flight.pop(future), result, progress))
    return results


def suggest(trial: Any, space: SearchSpace) -> dict[str, Any]:
    """Ask the trial for one value per range: stepped ranges as int/float, lists as categories."""
    return {r.name: _suggest_one(trial, r) for r in space.ranges}


def best(results: list[PointResult], maximize: bool) -> PointResult | None:
    ranked = rank(results, maximize)
    return ranked[0] if ranked else None


def rank(results: list[PointResult], maximize: bool) -> list[PointResult]:
    """Feasible results, best first, each parameter point once."""
    unique: dict[tuple[tuple[str, Any], ...], PointResult] = {}
    for r in results:
        if r.feasible and not math.isnan(r.value):
            unique.setdefault(tuple(sorted(r.params.items())), r)
    return sorted(unique.values(), key=lambda r: r.value, reverse=maximize)


def _suggest_one(trial: Any, r: ParamRange) -> Any:
    if r.step is None:
        return trial.suggest_categorical(r.name, list(r.values))
    if r.is_int:
        return trial.suggest_int(r.name, int(r.low), int(r.high), step=int(r.step))  # type: ignore[arg-type]
    return trial.suggest_float(r.name, float(r.low), float(r.high), step=float(r.step))  # type: ignore[arg-type]


def _pruned(
    study: Any, trial: Any, params: Mapping[str, Any], progress: Progress | None
) -> PointResult:
    import optuna

    study.tell(trial, state=optuna.trial.TrialState.PRUNED)
    result = PointResult(dict(params), math.nan, feasible=False, number=trial.number)
    if progress is not None:
        progress(result)
    return result


def _told(study: Any, trial: Any, result: PointResult, progress: Progress | None) -> PointResult:
    import optuna

    if result.feasible:
        study.tell(trial, result.value)
    else:
        study.tell(trial, state=optuna.trial.TrialState.PRUNED)
    result = dataclasses.replace(result, number=trial.number)
    if progress is not None:
        progress(result)
    return result


@contextmanager
def _executor(
    series: BarSeries, job: Job, jobs: int
) -> Iterator[tuple[ProcessPoolExecutor | None, int]]:
    """A pool of ``jobs`` processes with the bars installed, or (None, 1) to run here."""
    count = jobs or default_jobs()
    if job.engine == "vector":
        compile_kernels()  # forked workers inherit the compiled kernels
    if count <= 1:
        yield None, 1
        return
    with ProcessPoolExecutor(
        max_workers=count, initializer=install, initargs=(series, job)
    ) as pool:
        yield pool, count
