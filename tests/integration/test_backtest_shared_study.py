"""Two worker processes share one optuna study in the real PostgreSQL: trials split, none lost."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import optuna
import pytest

from tests.unit.backtest.conftest import synthetic
from tradestack.backtest.optimize.shared import StudySpec, create_shared_study, storage_url

pytestmark = [pytest.mark.services, pytest.mark.slow]

TRIALS = 20


def write_csv(path: Path) -> None:
    series = synthetic(30_000)
    stamps = series.ts.astype("datetime64[s]").astype(str)
    rows = [
        f"{t}Z,{o},{h},{lo},{c},{v}"
        for t, o, h, lo, c, v in zip(
            stamps, series.open, series.high, series.low, series.close, series.volume, strict=True
        )
    ]
    path.write_text("timestamp,open,high,low,close,volume\n" + "\n".join(rows) + "\n")


@pytest.mark.parametrize("empty_database_url", ["postgresql"], indirect=True)
def test_two_workers_split_the_trials_and_lose_none(
    empty_database_url: str, tmp_path: Path
) -> None:
    data = tmp_path / "bars.csv"
    write_csv(data)
    spec = StudySpec(
        strategy="sma_cross", params={}, ranges=["fast=2:40", "slow=10:200:5"],
        constraints=["fast < slow"], objective="sharpe", method="bayes", trials=TRIALS,
        engine="event", cash="1000000", fee_rate="0.001", lot_size="0.01", data=str(data),
        symbol="BTC/USDT", timeframe="1m",
    )  # fmt: skip
    assert create_shared_study(spec, name="shared", storage=empty_database_url) == TRIALS

    command = [sys.executable, "-m", "tradestack.cli", "backtest", "worker", "--study", "shared"]
    workers = [
        subprocess.Popen(
            [*command, "--storage", empty_database_url, "--name", name],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("w1", "w2")
    ]
    outputs = [w.communicate(timeout=120) for w in workers]
    assert [w.returncode for w in workers] == [0, 0], outputs

    study = optuna.load_study(study_name="shared", storage=storage_url(empty_database_url))
    trials = study.get_trials(deepcopy=False)
    counted = [t for t in trials if not t.user_attrs.get("surplus")]
    surplus = [t for t in trials if t.user_attrs.get("surplus")]
    assert sorted(t.number for t in counted) == list(range(TRIALS))  # none lost, none twice
    finished = {optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.PRUNED}
    assert all(t.state in finished for t in counted)
    assert all(t.state is optuna.trial.TrialState.PRUNED for t in surplus) and len(surplus) <= 1
    by_worker = {
        name: sum(t.user_attrs["worker"] == name for t in counted) for name in ("w1", "w2")
    }
    assert by_worker["w1"] > 0 and by_worker["w2"] > 0, by_worker
    reported = [int(out.split("ran ")[1].split(" ")[0]) for out, _err in outputs]
    assert sorted(reported) == sorted(by_worker.values())
