"""The run banner names the series that are backfilled and traded, not the default symbol."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import TRADESTACK, cli_env, free_port, run_cli

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def _banner(home: Path, env: dict[str, str]) -> list[str]:
    process = subprocess.Popen(
        [*TRADESTACK, "run", "--port", str(free_port())],
        env=env,
        cwd=home.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 120
        assert process.stdout is not None
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line.rstrip())
            if "Ctrl-C to stop" in line:
                break
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
    assert any("Ctrl-C to stop" in line for line in lines), "\n".join(lines)
    return lines


def test_banner_names_the_only_traders_series(home: Path) -> None:
    env = cli_env(home, TRADESTACK_RUN__HISTORY_BARS="300")
    add = ("trader", "add", "eth", "--symbol", "ETH/USDT", "--timeframe", "5m")
    added = run_cli(*add, env=env, cwd=home.parent)
    assert added.returncode == 0, added.stdout + added.stderr
    lines = _banner(home, env)
    history = [line for line in lines if line.strip().startswith("history")]
    assert history and "ETH/USDT 5m: 300 bars stored" in history[0], "\n".join(lines)
    assert not any("BTC/USDT" in line for line in lines), "\n".join(lines)
    with sqlite3.connect(home / "tradestack.db") as connection:
        series = connection.execute("SELECT DISTINCT symbol, timeframe FROM bars").fetchall()
    assert series == [("ETH/USDT", "5m")]  # nothing backfilled for a symbol nobody trades


def test_banner_lists_every_traded_series(home: Path) -> None:
    env = cli_env(home, TRADESTACK_RUN__HISTORY_BARS="200")
    for name, symbol in (("eth", "ETH/USDT"), ("sol", "SOL/USDT")):
        added = run_cli("trader", "add", name, "--symbol", symbol, env=env, cwd=home.parent)
        assert added.returncode == 0, added.stdout + added.stderr
    text = "\n".join(_banner(home, env))
    assert "ETH/USDT 1m: 200 bars stored" in text and "SOL/USDT 1m: 200 bars stored" in text
    assert "BTC/USDT" not in text
