"""Backups and the legacy import through the CLI: tables on stdout, one-line errors on stderr."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.e2e.conftest import cli_env, run_cli
from tests.e2e.test_cli_errors import assert_one_line_error

pytestmark = pytest.mark.e2e


def test_backup_list_verify_and_a_corrupted_backup_refused(tmp_path: Path, home: Path) -> None:
    env = cli_env(home)
    assert run_cli("data", "backfill", "--bars", "500", env=env, cwd=tmp_path).returncode == 0
    made = run_cli("db", "backup", env=env, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    backup_id = re.search(r"backup (\S+) \(sqlite", made.stdout).group(1)  # type: ignore[union-attr]
    assert backup_id in run_cli("db", "backups", env=env, cwd=tmp_path).stdout
    assert "is sound" in run_cli("db", "verify", backup_id, env=env, cwd=tmp_path).stdout

    data = home / "backups" / backup_id / "database.sqlite"
    raw = bytearray(data.read_bytes())
    raw[-100] ^= 0xFF
    data.write_bytes(bytes(raw))
    assert_one_line_error(run_cli("db", "verify", backup_id, env=env, cwd=tmp_path), "damaged")
    refused = run_cli("db", "restore", backup_id, "--yes", env=env, cwd=tmp_path)
    assert_one_line_error(refused, "fails verification")
    assert refused.returncode == 5


def test_import_legacy_reports_bad_rows_and_exits_non_zero(tmp_path: Path, home: Path) -> None:
    exports = tmp_path / "exports"
    exports.mkdir()
    (exports / "orders.csv").write_text(
        "id,symbol,side,type,quantity,status,created_at\n"
        "1,BTC/USDT,buy,market,0.5,filled,2024-03-01 10:00:00\n"
        "2,BTC/USDT,buy,market,-1,filled,2024-03-01 10:00:00\n"
    )
    env = cli_env(home)
    assert run_cli("db", "upgrade", env=env, cwd=tmp_path).returncode == 0
    result = run_cli("migrate", "import-legacy", "--from", str(exports), env=env, cwd=tmp_path)
    assert result.returncode == 8
    assert "source rows that did not arrive" in result.stdout
    assert "quantity -1 is not positive" in result.stdout
    assert_one_line_error(result, "1 source row(s) did not arrive")
