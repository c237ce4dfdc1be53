"""``config migrate`` and ``config validate`` as a user runs them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import cli_env, run_cli

pytestmark = pytest.mark.e2e


def test_migrate_prints_changes_keeps_a_backup_and_validates(tmp_path: Path, home: Path) -> None:
    legacy = tmp_path / "legacy.env"
    legacy.write_text(
        "BINANCE_API_SECRET=very-secret\nMAX_POSITION_SIZE=500\nMIN_CONFIDENCE=0.8\n"
        "BACKEND_PORT=9000\nWEIRD_FLAG=1\n"
    )
    env = cli_env(home)
    result = run_cli(
        "config", "migrate", str(legacy), "--from", "1", "--to", "2", env=env, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "risk.max_position_size_usd" in result.stdout and "renamed" in result.stdout
    assert "WEIRD_FLAG" in result.stdout and "very-secret" not in result.stdout
    assert (tmp_path / "legacy.env.v1.bak").read_text().startswith("BINANCE_API_SECRET")
    assert "TRADESTACK_SERVICES__STRATEGY_PORT=9002" in legacy.read_text()
    checked = run_cli("config", "validate", str(legacy), env=env, cwd=tmp_path)
    assert checked.returncode == 0 and "valid" in checked.stdout

    legacy.write_text(legacy.read_text() + "TRADESTACK_RISK__MAX_LEVERIDGE=3\n")
    bad = run_cli("config", "validate", str(legacy), env=env, cwd=tmp_path)
    assert bad.returncode == 2 and "TRADESTACK_RISK__MAX_LEVERIDGE" in bad.stderr
