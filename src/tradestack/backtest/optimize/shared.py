"""A study shared by worker processes on several machines, stored by optuna in PostgreSQL.

``create_shared_study`` writes everything a worker needs (strategy, data file,
ranges, constraints, objective, engine, trial budget) into the study's user
attributes, so ``tradestack backtest worker --study NAME --storage URL`` needs
nothing else. Trials are numbered by the database as they are asked for; a
worker stops when the budget is used, and a trial asked past it (a race
between workers) is pruned and marked ``surplus`` rather than run. Each
trial records which worker ran it. Grid studies enqueue every point first,
so workers take them one by one and none is run twice.
"""

from __future__ import annotations

import math
import os
import socket
from dataclasses import asdict, dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from tradestack.backtest.config import BacktestConfig
from tradestack.backtest.optimize.evaluate import Job, PointResult, evaluate
from tradestack.backtest.optimize.local import suggest
from tradestack.backtest.optimize.objective import objective_named
from tradestack.backtest.optimize.space import SearchSpace, parse_constraint, parse_range
from tradestack.backtest.service import DataSource
from tradestack.errors import ConfigError, DatabaseUnavailableError, NotFoundError

SPEC_KEY = "tradestack_spec"


@dataclass(frozen=True, slots=True)
class StudySpec:
    """A search, as plain JSON-able values."""

    strategy: str
    params: dict[str, str]
    ranges: list[str]
    constraints: list[str]
    objective: str
    method: str
    trials: int
    engine: str
    cash: str
    fee_rate: str
    lot_size: str
    data: str
    symbol: str
    timeframe: str
    seed: int = 7

    def space(self) -> SearchSpace:
        ranges = tuple(parse_range(text) for text in self.ranges)
        known = {r.name for r in ranges} | set(self.params)
        constraints = tuple(parse_constraint(text, known) for text in self.constraints)
        return SearchSpace(ranges, constraints)

    def job(self) -> Job:
        config = BacktestConfig(
            strategy=self.strategy,
            params=dict(self.params),
            cash=Decimal(self.cash),
            fee_rate=Decimal(self.fee_rate),
            lot_size=Decimal(self.lot_size),
        )
        return Job(config, self.engine, objective_named(self.objective))

    def source(self) -> DataSource:
        return DataSource(symbol=self.symbol, timeframe=self.timeframe, path=Path(self.data))


def storage_url(url: str) -> str:
    """Use the psycopg driver for ``postgresql://`` (and ``postgresql+asyncpg://``) URLs."""
    for prefix in ("postgresql+asyncpg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def create_shared_study(spec: StudySpec, *, name: str, storage: str) -> int:
    """Create (or reuse) study ``name``; return its trial budget. Grid points are enqueued now."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    space = spec.space()
    study = _create(spec, name, storage)
    if study.user_attrs.get(SPEC_KEY) not in (None, asdict(spec)):
        raise ConfigError(f"study {name!r} exists with a different search; pick another --study")
    budget = spec.trials
    if spec.method == "grid" and SPEC_KEY not in study.user_attrs:
        points = list(space.grid())
        for point in points:
            study.enqueue_trial(point)
        budget = len(points)
    if SPEC_KEY not in study.user_attrs:
        study.set_user_attr("budget", budget)
        study.set_user_attr(SPEC_KEY, asdict(spec))
    return int(study.user_attrs.get("budget", budget))


def work(name: str, storage: str, *, worker: str | None = None, progress: Any = None) -> int:
    """Run trials of study ``name`` until its budget is used; return how many this worker ran."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = _load(name, storage)
    spec = StudySpec(**study.user_attrs[SPEC_KEY])
    budget = int(study.user_attrs["budget"])
    space, job, series = spec.space(), spec.job(), spec.source().load()
    label = worker or f"{socket.gethostname()}:{os.getpid()}"
    done = 0
    while _started(study) < budget:
        trial = study.ask()
        trial.set_user_attr("worker", label)
        if trial.number >= budget:
            trial.set_user_attr("surplus", True)
            study.tell(trial, state=optuna.trial.TrialState.PRUNED)
            break
        params = suggest(trial, space)
        if not space.feasible(params):
            study.tell(trial, state=optuna.trial.TrialState.PRUNED)
            result = PointResult(params, math.nan, feasible=False)
        else:
            result = evaluate(series, job, params)
            if result.feasible:
                for key, value in result.metrics.items():
                    trial.set_user_attr(key, value)
                study.tell(trial, result.value)
            else:
                study.tell(trial, state=optuna.trial.TrialState.PRUNED)
        done += 1
        if progress is not None:
            progress(
                PointResult(
                    params, result.value, result.feasible, result.metrics, label, trial.number
                )
            )
    return done


def study_results(name: str, storage: str) -> tuple[StudySpec, list[PointResult]]:
    """Every finished, non-surplus trial of the study, as results."""
    import optuna

    study = _load(name, storage)
    spec = StudySpec(**study.user_attrs[SPEC_KEY])
    results = []
    for trial in study.get_trials(deepcopy=False):
        if trial.user_attrs.get("surplus") or trial.state not in (
            optuna.trial.TrialState.COMPLETE,
            optuna.trial.TrialState.PRUNED,
        ):
            continue
        complete = trial.state == optuna.trial.TrialState.COMPLETE
        metrics = {k: v for k, v in trial.user_attrs.items() if k != "worker"}
        results.append(
            PointResult(
                dict(trial.params),
                trial.value if complete else math.nan,  # type: ignore[arg-type]
                feasible=complete,
                metrics=metrics,
                worker=trial.user_attrs.get("worker"),
                number=trial.number,
            )
        )
    return spec, results


def _started(study: Any) -> int:
    import optuna

    states = tuple(s for s in optuna.trial.TrialState if s is not optuna.trial.TrialState.WAITING)
    return len(study.get_trials(deepcopy=False, states=states))


def _storage(url: str) -> Any:
    import optuna
    import sqlalchemy.exc

    try:
        return optuna.storages.RDBStorage(storage_url(url))
    except (sqlalchemy.exc.SQLAlchemyError, ImportError) as error:
        reason = str(getattr(error, "orig", error)).strip().splitlines()[0]
        raise DatabaseUnavailableError(f"cannot open the study storage: {reason}") from None


def _create(spec: StudySpec, name: str, storage: str) -> Any:
    import optuna

    return optuna.create_study(
        study_name=name,
        storage=_storage(storage),
        direction=objective_named(spec.objective).direction,
        sampler=optuna.samplers.TPESampler(seed=spec.seed),
        load_if_exists=True,
    )


def _load(name: str, storage: str) -> Any:
    import optuna

    try:
        study = optuna.load_study(
            study_name=name,
            storage=_storage(storage),
            sampler=optuna.samplers.TPESampler(),
        )
    except KeyError:
        raise NotFoundError(f"no study named {name!r} in that storage") from None
    if SPEC_KEY not in study.user_attrs:
        raise NotFoundError(f"study {name!r} was not created by tradestack backtest optimize")
    return study
