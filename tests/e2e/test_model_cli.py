"""The model commands as a user runs them: import bars, train, list, show, promote, predict."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tests.e2e.conftest import cli_env, run_cli

pytestmark = pytest.mark.e2e


def _write_bars(path: Path, n: int, seed: int = 3) -> None:
    rng = np.random.default_rng(seed)
    close = 100.0 * np.exp(np.cumsum(0.002 * np.sin(np.arange(n) / 12) + rng.normal(0, 0.004, n)))
    open_ = np.concatenate([[close[0]], close[:-1]])
    lines = ["timestamp,open,high,low,close,volume"]
    for i in range(n):
        hi, lo = max(open_[i], close[i]) * 1.002, min(open_[i], close[i]) * 0.998
        ts = 1_700_000_000 - 1_700_000_000 % 3600 + 3600 * i
        lines.append(
            f"{ts},{open_[i]:.6f},{hi:.6f},{lo:.6f},{close[i]:.6f},{rng.uniform(1, 9):.3f}"
        )
    path.write_text("\n".join(lines) + "\n")


def test_train_list_show_promote_predict_round_trip(tmp_path: Path, home: Path) -> None:
    env = cli_env(home)
    bars = tmp_path / "bars.csv"
    _write_bars(bars, 800)
    imported = run_cli(
        "data", "import", str(bars), "-s", "BTC/USDT", "-t", "1h", env=env, cwd=tmp_path
    )
    assert imported.returncode == 0, imported.stderr

    args = ("--symbol", "BTC/USDT", "--timeframe", "1h", "--label", "sign:3",
            "--features", "ret_1,ret_5,sma_ratio_5_20,rsi_14,hour_sin")  # fmt: skip
    first = run_cli("model", "train", "m", *args, "-a", "logreg", env=env, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "trained m@v1" in first.stdout and "auc" in first.stdout
    second = run_cli(
        "model", "train", "m", *args, "-a", "lightgbm", "--params", '{"n_estimators": 20}',
        env=env, cwd=tmp_path,
    )  # fmt: skip
    assert second.returncode == 0, second.stderr

    listed = json.loads(run_cli("model", "list", "--json", env=env, cwd=tmp_path).stdout)
    assert [(r["version"], r["stage"]) for r in listed] == [(1, "candidate"), (2, "candidate")]
    assert (home / "models" / "m" / "2" / "model.json").is_file()

    assert run_cli("model", "promote", "m", "2", env=env, cwd=tmp_path).returncode == 0
    shown = json.loads(
        run_cli("model", "show", "m@production", "--json", env=env, cwd=tmp_path).stdout
    )
    assert shown["version"] == 2 and shown["algorithm"] == "lightgbm"
    assert len(shown["dataset_fingerprint"]) == 64

    recent = tmp_path / "recent.csv"
    _write_bars(recent, 60, seed=9)
    predicted = run_cli(
        "model", "predict", "m", "--data", str(recent), "--json", env=env, cwd=tmp_path
    )
    assert predicted.returncode == 0, predicted.stderr
    rows = json.loads(predicted.stdout)
    assert len(rows) == 60 and rows[0]["probability"] is None
    assert all(0 <= r["probability"] <= 1 for r in rows[25:])
    assert {r["model"] for r in rows} == {"m@v2"}

    refused = run_cli("model", "delete", "m", "2", env=env, cwd=tmp_path)
    assert refused.returncode != 0 and "production" in refused.stderr


def test_a_corrupt_model_file_is_one_line_error(tmp_path: Path, home: Path) -> None:
    env = cli_env(home)
    bars = tmp_path / "bars.csv"
    _write_bars(bars, 300)
    run_cli("data", "import", str(bars), "-s", "X", "-t", "1h", env=env, cwd=tmp_path)
    trained = run_cli("model", "train", "c", "-s", "X", "-t", "1h", "--features", "ret_1,ret_5",
                      "-a", "logreg", env=env, cwd=tmp_path)  # fmt: skip
    assert trained.returncode == 0, trained.stderr
    artefact = home / "models" / "c" / "1" / "model.skops"
    artefact.write_bytes(artefact.read_bytes()[:-10] + b"0123456789")
    result = run_cli("model", "predict", "c", "--data", str(bars), "--json", env=env, cwd=tmp_path)
    assert result.returncode != 0
    assert "checksum" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1

    bad = run_cli("model", "train", "c", "-s", "X", "-t", "1h", "--features", "nope_3",
                  env=env, cwd=tmp_path)  # fmt: skip
    assert bad.returncode != 0 and "unknown feature" in bad.stderr and "Traceback" not in bad.stderr
