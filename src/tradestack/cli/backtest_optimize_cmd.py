"""``tradestack backtest optimize`` and ``worker``: parameter search, local or in PostgreSQL."""

from __future__ import annotations

import math
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from tradestack.cli.output import console
from tradestack.cli.settings_option import ConfigOption
from tradestack.errors import ConfigError

if TYPE_CHECKING:
    from tradestack.backtest.optimize.evaluate import Job, PointResult
    from tradestack.backtest.optimize.shared import StudySpec
    from tradestack.backtest.optimize.space import SearchSpace
    from tradestack.backtest.optimize.walk_forward import Window
    from tradestack.backtest.series import BarSeries


@dataclass(frozen=True, slots=True)
class Search:
    """The options every search mode shares."""

    job: Job
    space: SearchSpace
    method: str
    trials: int
    jobs: int
    seed: int
    top: int


def optimize(
    symbol: Annotated[str, typer.Option("--symbol")],
    timeframe: Annotated[str, typer.Option("--timeframe")],
    ranges: Annotated[
        list[str], typer.Option("--range", help="NAME=LOW:HIGH[:STEP] or NAME=A,B,C; repeatable.")
    ],
    strategy: Annotated[str, typer.Option("--strategy")] = "sma_cross",
    param: Annotated[list[str] | None, typer.Option("--param", help="Fixed NAME=VALUE.")] = None,
    constraint: Annotated[
        list[str] | None, typer.Option("--constraint", help="e.g. 'fast < slow'; repeatable.")
    ] = None,
    objective: Annotated[
        str, typer.Option("--objective", help="sharpe, return, calmar, ...")
    ] = "sharpe",
    method: Annotated[str, typer.Option("--method", help="grid or bayes (optuna TPE).")] = "grid",
    trials: Annotated[int, typer.Option("--trials", min=1, help="Bayesian trials.")] = 50,
    jobs: Annotated[
        int, typer.Option("--jobs", min=0, help="Worker processes; 0 = one per core.")
    ] = 0,
    engine: Annotated[str, typer.Option("--engine", help="vector (fast) or event.")] = "vector",
    data: Annotated[Path | None, typer.Option("--data")] = None,
    start: Annotated[str | None, typer.Option("--start")] = None,
    end: Annotated[str | None, typer.Option("--end")] = None,
    cash: Annotated[str, typer.Option("--cash")] = "10000",
    fee: Annotated[str, typer.Option("--fee")] = "0.001",
    lot_size: Annotated[str, typer.Option("--lot-size")] = "1",
    seed: Annotated[int, typer.Option("--seed")] = 7,
    top: Annotated[int, typer.Option("--top", min=1, help="Rows in the results table.")] = 10,
    walk: Annotated[
        int, typer.Option("--walk-forward", min=0, help="Walk-forward windows (0 = off).")
    ] = 0,
    in_sample_ratio: Annotated[float, typer.Option("--in-sample-ratio", min=0.1)] = 3.0,
    storage: Annotated[
        str | None, typer.Option("--storage", help="postgresql://... to share the study.")
    ] = None,
    study: Annotated[str | None, typer.Option("--study", help="Study name with --storage.")] = None,
    config: ConfigOption = None,
) -> None:
    """Search strategy parameters by grid or Bayesian optimisation, optionally walk-forward."""
    from tradestack.backtest.optimize.evaluate import Job
    from tradestack.backtest.optimize.objective import objective_named
    from tradestack.backtest.optimize.shared import StudySpec
    from tradestack.backtest.optimize.space import SearchSpace, parse_constraint, parse_range
    from tradestack.cli.backtest_options import backtest_config, data_source

    if method not in {"grid", "bayes", "optuna"}:
        raise ConfigError(f"--method {method!r}: choose grid or bayes")
    method = "bayes" if method == "optuna" else method
    base = backtest_config(strategy, param, cash, fee, lot_size)
    space_ranges = tuple(parse_range(text) for text in ranges)
    known = {r.name for r in space_ranges} | set(base.params)
    space = SearchSpace(space_ranges, tuple(parse_constraint(c, known) for c in constraint or []))
    job = Job(base, engine, objective_named(objective))
    search = Search(job, space, method, trials, jobs, seed, top)
    if storage is not None:
        if walk:
            raise ConfigError("--walk-forward runs locally; drop --storage")
        if data is None:
            raise ConfigError("--storage needs --data FILE (every worker reads the same file)")
        spec = StudySpec(
            strategy=strategy, params=dict(p.split("=", 1) for p in param or []),
            ranges=list(ranges), constraints=list(constraint or []), objective=objective,
            method=method, trials=trials, engine=engine, cash=str(base.cash),
            fee_rate=str(base.fee_rate), lot_size=str(base.lot_size),
            data=str(data.resolve()), symbol=symbol, timeframe=timeframe, seed=seed,
        )  # fmt: skip
        _shared(search, spec, storage, study)
        return
    series = data_source(data, symbol, timeframe, start, end, config).load()
    count = len(list(space.grid())) if method == "grid" else trials
    if count == 0:
        raise ConfigError("no grid point meets the constraints")
    if walk:
        _walk_forward(series, search, walk, in_sample_ratio, count)
        return
    _local(series, search, count)


def worker(
    study: Annotated[str, typer.Option("--study", help="Name of the shared study.")],
    storage: Annotated[str, typer.Option("--storage", help="postgresql://user@host/db")],
    name: Annotated[str | None, typer.Option("--name", help="Label for this worker.")] = None,
) -> None:
    """Run trials of a shared study until its budget is used, then exit."""
    from tradestack.backtest.optimize.shared import work

    ran = work(study, storage, worker=name)
    console.print(f"worker ran {ran} trial(s) of study {study}")


def _local(series: BarSeries, search: Search, count: int) -> None:
    from tradestack.backtest.optimize.local import bayes_search, grid_search

    job, space = search.job, search.space
    started = time.perf_counter()
    with _progress() as progress:
        task = progress.add_task(f"{search.method} search", total=count)

        def advance(_result: PointResult) -> None:
            progress.advance(task)

        if search.method == "grid":
            results = grid_search(series, job, space, jobs=search.jobs, progress=advance)
        else:
            results = bayes_search(series, job, space, trials=search.trials, jobs=search.jobs,
                                   seed=search.seed, progress=advance)  # fmt: skip
    elapsed = time.perf_counter() - started
    console.print(
        f"{len(results)} point(s) over {len(series):,} bars in {elapsed:.2f} s "
        f"({job.engine} engine, objective {job.objective.name})"
    )
    _results_table(results, search, shared=False)


def _walk_forward(
    series: BarSeries, search: Search, windows: int, ratio: float, count: int
) -> None:
    from tradestack.backtest.optimize.walk_forward import walk_forward

    with _progress() as progress:
        task = progress.add_task("walk-forward", total=count * windows)
        found = walk_forward(
            series, search.job, search.space, windows=windows, in_sample_ratio=ratio,
            method=search.method, trials=search.trials, jobs=search.jobs, seed=search.seed,
            progress=lambda _r: progress.advance(task),
        )  # fmt: skip
    _windows_table(found, search.job.objective.name)


def _shared(search: Search, spec: StudySpec, storage: str, study: str | None) -> None:
    from tradestack.backtest.optimize.local import default_jobs
    from tradestack.backtest.optimize.shared import create_shared_study, study_results, work

    name = study or f"{spec.strategy}-{datetime.now(UTC):%Y%m%dT%H%M%S}"
    budget = create_shared_study(spec, name=name, storage=storage)
    console.print(f"study {name}: {budget} trial(s); more workers can join with")
    console.print(f"  tradestack backtest worker --study {name} --storage {storage}")
    count = search.jobs or default_jobs()
    with ProcessPoolExecutor(max_workers=count) as pool:
        futures = [pool.submit(work, name, storage, worker=f"local-{k}") for k in range(count)]
        with _progress() as progress:
            task = progress.add_task("shared study", total=budget)
            while not all(f.done() for f in futures):
                _spec, finished = study_results(name, storage)
                progress.update(task, completed=len(finished))
                time.sleep(0.5)
            for future in futures:
                future.result()
            progress.update(task, completed=budget)
    _spec, results = study_results(name, storage)
    _results_table(results, search, shared=True)


def _progress() -> Progress:
    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    )


def _results_table(results: list[PointResult], search: Search, *, shared: bool) -> None:
    from tradestack.backtest.optimize.local import rank

    space, top = search.space, search.top
    ranked = rank(results, search.job.objective.maximize)
    skipped = sum(not r.feasible for r in results)
    names = [r.name for r in space.ranges]
    table = Table(
        title=f"best {min(top, len(ranked))} of {len(ranked)}"
        + (f" ({skipped} infeasible)" if skipped else "")
    )
    for column in ["#", *names, "objective", "return %", "sharpe", "max dd %", "trades"] + (
        ["worker"] if shared else []
    ):
        table.add_column(column, justify="left" if column == "worker" else "right")
    for k, result in enumerate(ranked[:top], start=1):
        m = result.metrics
        row = [str(k), *(str(result.params.get(n)) for n in names), _fmt(result.value),
               _fmt(m.get("return_pct")), _fmt(m.get("sharpe")), _fmt(m.get("max_drawdown_pct")),
               str(m.get("trades", ""))]  # fmt: skip
        table.add_row(*row, *([result.worker or ""] if shared else []))
    console.print(table)


def _windows_table(windows: list[Window], objective: str) -> None:
    table = Table(title="walk-forward (out-of-sample uses the in-sample bars as warm-up)")
    for column in (
        "#",
        "in sample",
        "out of sample",
        "best params",
        f"IS {objective}",
        f"OOS {objective}",
        "OOS return %",
        "OOS trades",
    ):
        table.add_column(column)
    compounded = 1.0
    for w in windows:
        if math.isfinite(w.out_of_sample_return_pct):
            compounded *= 1 + w.out_of_sample_return_pct / 100
        table.add_row(
            str(w.index + 1), f"{w.in_sample[0]:%Y-%m-%d}\n{w.in_sample[1]:%Y-%m-%d}",
            f"{w.out_of_sample[0]:%Y-%m-%d}\n{w.out_of_sample[1]:%Y-%m-%d}",
            "\n".join(f"{k}={v}" for k, v in (w.params or {}).items()) or "none feasible",
            _fmt(w.in_sample_value), _fmt(w.out_of_sample_value),
            _fmt(w.out_of_sample_return_pct), str(w.out_of_sample_trades),
        )  # fmt: skip
    console.print(table)
    total = (compounded - 1) * 100
    console.print(f"out-of-sample return, compounded over {len(windows)} windows: {total:.2f}%")


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4g}" if math.isfinite(value) else "n/a"
    return "n/a" if value is None else str(value)
