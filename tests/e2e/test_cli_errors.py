"""Bad input gets one clear line on stderr and a non-zero exit, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import cli_env, run_cli
from tradestack.storage import migrations

pytestmark = pytest.mark.e2e


def assert_one_line_error(result, fragment: str) -> None:  # type: ignore[no-untyped-def]
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error:") and fragment in lines[0], lines[0]


def test_unknown_config_key(tmp_path: Path, home: Path) -> None:
    env = cli_env(home, TRADESTACK_MAX_POSITON_SIZE="5")
    assert_one_line_error(
        run_cli("config", "show", env=env, cwd=tmp_path), "TRADESTACK_MAX_POSITON_SIZE"
    )


def test_malformed_csv_row(tmp_path: Path, home: Path) -> None:
    path = tmp_path / "bars.csv"
    path.write_text(
        "timestamp,open,high,low,close,volume\n"
        "2024-01-01T00:00:00Z,1,2,0.5,1.5,10\n"
        "2024-01-01T01:00:00Z,1,2,0.5,oops,10\n"
    )
    result = run_cli(
        "data",
        "import",
        str(path),
        "--symbol",
        "GOOG",
        "--timeframe",
        "1h",
        env=cli_env(home),
        cwd=tmp_path,
    )
    assert_one_line_error(result, "line 3")
    listed = run_cli("data", "list", env=cli_env(home), cwd=tmp_path)
    assert "GOOG" not in listed.stdout  # nothing half-imported


def test_good_csv_imports_and_reimport_adds_nothing(tmp_path: Path, home: Path) -> None:
    path = tmp_path / "bars.csv"
    path.write_text(
        "timestamp,open,high,low,close,volume\n"
        "2024-01-01T00:00:00Z,1,2,0.5,1.5,10\n"
        "2024-01-01T01:00:00Z,1.5,2,1,1.2,10\n"
    )
    args = ("data", "import", str(path), "--symbol", "GOOG", "--timeframe", "1h")
    first = run_cli(*args, env=cli_env(home), cwd=tmp_path)
    assert first.returncode == 0 and "2 new" in first.stdout
    second = run_cli(*args, env=cli_env(home), cwd=tmp_path)
    assert "0 new, 2 already stored; 2 stored in all" in second.stdout


def test_unreachable_database(tmp_path: Path, home: Path) -> None:
    env = cli_env(home, TRADESTACK_DATABASE_URL="postgresql+asyncpg://u:pw@127.0.0.1:1/none")
    result = run_cli("db", "upgrade", env=env, cwd=tmp_path)
    assert_one_line_error(result, "cannot reach the database")
    assert "pw" not in result.stderr


def test_bad_strategy_parameter_on_run(tmp_path: Path, home: Path) -> None:
    env = cli_env(home, TRADESTACK_RUN__STRATEGY_PARAMS='{"fast": 50, "slow": 10}')
    assert_one_line_error(run_cli("run", "--port", "0", env=env, cwd=tmp_path), "fast < slow")


def test_db_commands_report_revisions(tmp_path: Path, home: Path) -> None:
    env = cli_env(home)
    head = migrations.head()
    assert f"is at revision {head}" in run_cli("db", "upgrade", env=env, cwd=tmp_path).stdout
    assert "up to date" in run_cli("db", "current", env=env, cwd=tmp_path).stdout
    assert f"{head} (head)" in run_cli("db", "history", env=env, cwd=tmp_path).stdout


def test_trader_commands_edit_stored_traders(tmp_path: Path, home: Path) -> None:
    env = cli_env(home)
    added = run_cli(
        "trader",
        "add",
        "carol",
        "--strategy",
        "channel_breakout",
        "--param",
        "entry=12",
        "--symbol",
        "ETH/USDT",
        "--cash",
        "500",
        "--stopped",
        env=env,
        cwd=tmp_path,
    )
    assert added.returncode == 0, added.stderr
    listed = run_cli("trader", "list", env=env, cwd=tmp_path).stdout
    assert "carol" in listed and "stopped" in listed and "entry=12" in listed
    halted = run_cli("trader", "stop", "carol", "--emergency", env=env, cwd=tmp_path)
    assert "halted" in halted.stdout
    assert_one_line_error(run_cli("trader", "stop", "nobody", env=env, cwd=tmp_path), "nobody")
    assert_one_line_error(
        run_cli("trader", "add", "x", "--param", "fast", env=env, cwd=tmp_path), "name=value"
    )
    assert run_cli("trader", "remove", "carol", env=env, cwd=tmp_path).returncode == 0
    assert "carol" not in run_cli("trader", "list", env=env, cwd=tmp_path).stdout


@pytest.mark.services
@pytest.mark.parametrize(
    "command",
    [("db", "current"), ("db", "upgrade"), ("data", "list"), ("run", "--port", "0")],
    ids=["db-current", "db-upgrade", "data-list", "run"],
)
def test_postgres_database_that_does_not_exist(
    tmp_path: Path, home: Path, command: tuple[str, ...]
) -> None:
    from tests.conftest import require_service

    require_service("PostgreSQL", "127.0.0.1", 5432)
    url = "postgresql+asyncpg://postgres:pw@127.0.0.1:5432/tradestack_no_such_database"
    result = run_cli(*command, env=cli_env(home, TRADESTACK_DATABASE_URL=url), cwd=tmp_path)
    assert_one_line_error(result, "tradestack_no_such_database")
    assert "does not exist" in result.stderr and "pw" not in result.stderr
