"""``migrate check`` against a running ``tradestack run``: the WebSocket line needs a real bar."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import cli_env, free_port, run_cli
from tests.e2e.test_run import start, stop, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def _line(output: str, name: str) -> str:
    return next(line for line in output.splitlines() if name in line)


def test_migrate_check_receives_a_bar_over_the_websocket(home: Path, tmp_path: Path) -> None:
    port = free_port()
    server = start(home, port, "0.2", tmp_path / "run.log")
    try:
        wait_for(
            lambda: httpx.get(f"http://127.0.0.1:{port}/api/v1/health").status_code == 200,
            90,
            "the API",
        )
        env = cli_env(home, TRADESTACK_API_PORT=str(port))
        checked = run_cli("migrate", "check", env=env, cwd=home.parent)
    finally:
        assert stop(server) == 0, (tmp_path / "run.log").read_text(errors="replace")
    output = checked.stdout + checked.stderr
    line = _line(output, "WebSocket answers")
    assert "pass" in line and "BTC/USDT" in line, output
    assert "/ws/v1/stream" in output


def test_migrate_check_fails_the_websocket_line_when_nothing_listens(
    home: Path, tmp_path: Path
) -> None:
    env = cli_env(home, TRADESTACK_API_PORT=str(free_port()))
    assert run_cli("db", "upgrade", env=env, cwd=tmp_path).returncode == 0
    checked: subprocess.CompletedProcess[str] = run_cli("migrate", "check", env=env, cwd=tmp_path)
    assert checked.returncode != 0
    assert "fail" in _line(checked.stdout, "WebSocket answers"), checked.stdout
