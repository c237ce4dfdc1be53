"""Walk-forward analysis: optimise on a rolling in-sample window, test on the next one.

The data is cut into ``windows`` consecutive out-of-sample slices, each
preceded by an in-sample slice ``in_sample_ratio`` times as long (ratio 3 is
75% / 25%). The best in-sample parameters are run out of sample with the
in-sample bars as warm-up, so indicators are primed and no trade leaks back.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from tradestack.backtest.metrics import compute
from tradestack.backtest.optimize.evaluate import Job, PointResult
from tradestack.backtest.optimize.local import bayes_search, best, grid_search
from tradestack.backtest.optimize.space import SearchSpace
from tradestack.backtest.series import BarSeries
from tradestack.backtest.service import run
from tradestack.errors import ConfigError


@dataclass(frozen=True, slots=True)
class Window:
    index: int
    in_sample: tuple[datetime, datetime]
    out_of_sample: tuple[datetime, datetime]
    params: dict[str, object] | None
    in_sample_value: float
    out_of_sample_value: float
    out_of_sample_return_pct: float
    out_of_sample_trades: int


def walk_forward(
    series: BarSeries,
    job: Job,
    space: SearchSpace,
    *,
    windows: int,
    in_sample_ratio: float = 3.0,
    method: str = "grid",
    trials: int = 50,
    jobs: int = 0,
    seed: int = 7,
    progress: Callable[[PointResult], None] | None = None,
) -> list[Window]:
    """Optimise and test each window in turn; raise ConfigError if windows would be too small."""
    total = len(series)
    out_length = int(total / (windows + in_sample_ratio))
    in_length = total - windows * out_length
    if windows < 1 or out_length < 2 or in_length < 2:
        raise ConfigError(f"{total} bars are too few for {windows} walk-forward windows")
    results = []
    for k in range(windows):
        oos_start = in_length + k * out_length
        is_start = oos_start - in_length
        oos_end = oos_start + out_length if k < windows - 1 else total
        in_sample = series.window(is_start, oos_start)
        if method == "grid":
            found = grid_search(in_sample, job, space, jobs=jobs, progress=progress)
        else:
            found = bayes_search(
                in_sample, job, space, trials=trials, jobs=jobs, seed=seed, progress=progress
            )
        winner = best(found, job.objective.maximize)
        results.append(_test(series, job, k, (is_start, oos_start, oos_end), winner))
    return results


def _test(
    series: BarSeries, job: Job, k: int, cuts: tuple[int, int, int], winner: PointResult | None
) -> Window:
    is_start, oos_start, oos_end = cuts
    span = (series.datetime_at(is_start), series.datetime_at(oos_start - 1))
    oos_span = (series.datetime_at(oos_start), series.datetime_at(oos_end - 1))
    if winner is None:
        nan = float("nan")
        return Window(k, span, oos_span, None, nan, nan, nan, 0)
    config = dataclasses.replace(
        job.config,
        params={**job.config.params, **winner.params},
        warmup_bars=oos_start - is_start,
    )
    metrics = compute(run(series.window(is_start, oos_end), config, job.engine))
    return Window(
        index=k,
        in_sample=span,
        out_of_sample=oos_span,
        params=winner.params,
        in_sample_value=winner.value,
        out_of_sample_value=job.objective.score(metrics),
        out_of_sample_return_pct=metrics.total_return_pct,
        out_of_sample_trades=metrics.trades,
    )
