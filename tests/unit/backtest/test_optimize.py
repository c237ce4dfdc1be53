import itertools
from decimal import Decimal as D

import pytest

from tests.unit.backtest.conftest import synthetic
from tradestack.backtest.config import BacktestConfig
from tradestack.backtest.optimize.evaluate import Job, evaluate
from tradestack.backtest.optimize.local import bayes_search, best, grid_search, rank
from tradestack.backtest.optimize.objective import objective_named
from tradestack.backtest.optimize.space import SearchSpace, parse_constraint, parse_range
from tradestack.backtest.optimize.walk_forward import walk_forward
from tradestack.errors import ConfigError

SERIES = synthetic(6_000, timeframe="1h")
JOB = Job(BacktestConfig("sma_cross", cash=D(1_000_000)), "vector", objective_named("sharpe"))


def space(*constraints: str) -> SearchSpace:
    ranges = (parse_range("fast=5:20:5"), parse_range("slow=10,20,40"))
    return SearchSpace(ranges, tuple(parse_constraint(c, {"fast", "slow"}) for c in constraints))


def test_ranges_are_inclusive_and_lists_keep_their_order() -> None:
    assert parse_range("fast=5:20:5").values == (5, 10, 15, 20)
    assert parse_range("x=0.1:0.3:0.1").values == (0.1, 0.2, 0.3)
    assert parse_range("slow=40,10").values == (40, 10)
    for bad in ("fast", "fast=5:1", "fast=a:b", "fast=1:5:0"):
        with pytest.raises(ConfigError):
            parse_range(bad)


def test_constraints_filter_the_grid_and_are_never_code() -> None:
    points = list(space("fast < slow").grid())
    assert all(p["fast"] < p["slow"] for p in points) and len(points) == 8
    assert len(list(space("fast < slow", "slow <= 20").grid())) == 4
    with pytest.raises(ConfigError, match="unknown parameter"):
        parse_constraint("fast < speed", {"fast"})
    with pytest.raises(ConfigError, match="expected A OP B"):
        parse_constraint("__import__('os')", {"fast"})


def test_unknown_objective_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match="choose from sharpe"):
        objective_named("luck")


def test_points_the_strategy_rejects_are_infeasible_not_errors() -> None:
    result = evaluate(SERIES, JOB, {"fast": 20, "slow": 10})
    assert not result.feasible and result.value == float("-inf")


def test_parallel_grid_matches_the_serial_one() -> None:
    serial = grid_search(SERIES, JOB, space("fast < slow"), jobs=1)
    parallel = grid_search(SERIES, JOB, space("fast < slow"), jobs=2)
    assert [(r.params, r.value) for r in serial] == [(r.params, r.value) for r in parallel]
    winner = best(serial, maximize=True)
    assert winner is not None and winner.value == max(r.value for r in serial)


def test_bayesian_search_runs_its_trials_and_prunes_constraint_violations() -> None:
    seen = []
    results = bayes_search(
        SERIES, JOB, space("fast < slow"), trials=12, jobs=2, seed=3, progress=seen.append
    )
    assert len(results) == len(seen) == 12
    assert sorted(r.number for r in results) == list(range(12))
    assert all(r.params["fast"] < r.params["slow"] for r in results if r.feasible)
    assert rank(results, maximize=True)


def test_walk_forward_tests_each_window_out_of_sample() -> None:
    windows = walk_forward(SERIES, JOB, space("fast < slow"), windows=3, jobs=1)
    assert len(windows) == 3
    for previous, current in itertools.pairwise(windows):
        assert previous.out_of_sample[1] < current.out_of_sample[0]
    for w in windows:
        assert w.in_sample[1] < w.out_of_sample[0] and w.params is not None
    with pytest.raises(ConfigError, match="too few"):
        walk_forward(SERIES.window(0, 10), JOB, space(), windows=8)
