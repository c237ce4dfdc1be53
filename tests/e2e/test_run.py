"""``tradestack run`` as a user runs it: health, a filled order, Ctrl-C, and a restart."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import TRADESTACK, cli_env, free_port

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def start(home: Path, port: int, replay_interval_s: str, log: Path) -> subprocess.Popen[bytes]:
    env = cli_env(
        home,
        TRADESTACK_API_PORT=str(port),
        TRADESTACK_RUN__REPLAY="fast",
        TRADESTACK_RUN__REPLAY_INTERVAL_S=replay_interval_s,
        TRADESTACK_RUN__HISTORY_BARS="300",
        TRADESTACK_RUN__STRATEGY_PARAMS='{"fast": 3, "slow": 8}',
    )
    return subprocess.Popen(
        [*TRADESTACK, "run"],
        env=env,
        cwd=home.parent,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )


def wait_for(predicate, timeout_s: float, what: str):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def stop(process: subprocess.Popen[bytes]) -> int:
    process.send_signal(signal.SIGINT)
    return process.wait(timeout=30)


def bar_counts(home: Path) -> tuple[int, int]:
    with sqlite3.connect(home / "tradestack.db") as connection:
        return connection.execute(
            "SELECT count(*), count(DISTINCT ts) FROM bars WHERE symbol='BTC/USDT'"
        ).fetchone()


def test_run_trades_stops_cleanly_and_resumes(home: Path, tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}/api/v1"
    process = start(home, port, "0.02", tmp_path / "first.log")
    try:
        health = wait_for(lambda: httpx.get(f"{base}/health").json(), 60, "health")
        assert health["status"] == "ok"
        filled = wait_for(
            lambda: httpx.get(f"{base}/orders", params={"status": "FILLED"}).json()["items"],
            60,
            "a filled order",
        )
        assert filled[0]["trader_id"] == "default"
    finally:
        code = stop(process)
    log = (tmp_path / "first.log").read_text()
    assert code == 0, log
    assert "Traceback" not in log and "stopped:" in log

    count, distinct = bar_counts(home)
    assert count == distinct
    with sqlite3.connect(home / "tradestack.db") as connection:
        positions_before = connection.execute(
            "SELECT symbol, quantity, average_price FROM positions"
        ).fetchall()
        orders_before = connection.execute("SELECT count(*) FROM orders").fetchone()[0]

    # Restart with a slow replay so no new bar moves the position before we look.
    process = start(home, port, "60", tmp_path / "second.log")
    try:
        wait_for(lambda: httpx.get(f"{base}/health").json(), 60, "health after restart")
        positions = httpx.get(f"{base}/positions").json()
        orders = httpx.get(f"{base}/orders", params={"limit": 1000}).json()["items"]
    finally:
        assert stop(process) == 0
    assert [(p["symbol"], p["quantity"]) for p in positions] == [
        (symbol, quantity) for symbol, quantity, _avg in positions_before
    ]
    assert len(orders) == orders_before
    count_after, distinct_after = bar_counts(home)
    assert count_after == distinct_after
    assert count_after >= count
