"""``tradestack backtest`` as a process: the stable --json shape, reports, errors, compare."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.conftest import cli_env, run_cli
from tests.e2e.test_cli_errors import assert_one_line_error

pytestmark = pytest.mark.e2e

JSON_KEYS = {
    "trades",
    "final_equity",
    "return_pct",
    "max_drawdown_pct",
    "sharpe",
    "sortino",
    "win_rate_pct",
    "profit_factor",
    "exposure_pct",
    "trade_list",
}
ARGS = ("--symbol", "GOOG", "--timeframe", "1d", "--cash", "10000", "--fee", "0.001")


@pytest.fixture
def goog_csv(tmp_path: Path) -> Path:
    from backtesting.test import GOOG

    path = tmp_path / "goog.csv"
    GOOG.to_csv(path, index_label="Date")
    return path


def test_run_prints_the_stable_json_writes_a_report_and_stores_the_run(
    tmp_path: Path, home: Path, goog_csv: Path
) -> None:
    report = tmp_path / "out.html"
    result = run_cli(
        "backtest", "run", "--strategy", "sma_cross", "--param", "fast=10", "--param", "slow=30",
        "--data", str(goog_csv), *ARGS, "--lot-size", "1", "--json", "--report", str(report),
        env=cli_env(home), cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert set(body) == JSON_KEYS
    assert body["trades"] == len(body["trade_list"]) == 33
    first = body["trade_list"][0]
    assert set(first) == {"entry_time", "exit_time", "entry_price", "exit_price", "size", "pnl"}
    assert first["entry_time"] == "2004-12-21T00:00:00+00:00" and first["size"] == 53
    html = report.read_text()
    assert html.count("<svg") == 3 and html.count('class="entry"') == 33
    assert not any(x in html for x in ("<script", "<link", 'src="', 'href="'))  # self-contained
    listed = run_cli("db", "current", env=cli_env(home), cwd=tmp_path)
    assert "up to date" in listed.stdout  # the run was stored in a migrated database


def test_compare_finds_the_engines_agree_on_goog(
    tmp_path: Path, home: Path, goog_csv: Path
) -> None:
    result = run_cli(
        "backtest", "compare", "--data", str(goog_csv), *ARGS, env=cli_env(home), cwd=tmp_path
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "event: 33 trades; vector: 33 trades" in result.stdout
    assert "the engines agree" in result.stdout


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        (("--param", "fast=x"), "fast='x' is not a valid int"),
        (("--param", "fast=40"), "fast < slow"),
        (("--param", "fast"), "--param expects NAME=VALUE"),
        (("--fee", "lots"), "--fee 'lots' is not a number"),
    ],
)
def test_bad_options_are_one_line_errors(
    tmp_path: Path, home: Path, goog_csv: Path, extra: tuple[str, ...], fragment: str
) -> None:
    result = run_cli(
        "backtest", "run", "--data", str(goog_csv), *ARGS, *extra, "--no-store",
        env=cli_env(home), cwd=tmp_path,
    )  # fmt: skip
    assert_one_line_error(result, fragment)


def test_missing_and_malformed_files_are_one_line_errors(tmp_path: Path, home: Path) -> None:
    missing = run_cli(
        "backtest", "run", "--data", str(tmp_path / "nope.csv"), *ARGS,
        env=cli_env(home), cwd=tmp_path,
    )  # fmt: skip
    assert_one_line_error(missing, "does not exist")
    bad = tmp_path / "bad.csv"
    bad.write_text("date,open,high,low,close\n2024-01-01,1,2,0.5,1.5\n")
    malformed = run_cli(
        "backtest", "run", "--data", str(bad), *ARGS, env=cli_env(home), cwd=tmp_path
    )
    assert_one_line_error(malformed, "missing column(s) volume")
