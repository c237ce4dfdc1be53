"""Ctrl-C during a 3M-bar backfill: out in seconds, a committed prefix kept, a re-run continues."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import TRADESTACK, cli_env

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
BARS = 3_000_000


def _series(home: Path) -> tuple[int, int, int, int]:
    """Return (count, distinct ts, first ts, last ts) of the BTC/USDT 1m bars stored so far."""
    database = home / "tradestack.db"
    if not database.exists():
        return 0, 0, 0, 0
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=1) as connection:
            row = connection.execute(
                "SELECT count(*), count(DISTINCT ts), "
                "coalesce(min(strftime('%s', ts)), 0), coalesce(max(strftime('%s', ts)), 0) "
                "FROM bars WHERE symbol = 'BTC/USDT' AND timeframe = '1m'"
            ).fetchone()
    except sqlite3.OperationalError:  # the schema is not there yet
        return 0, 0, 0, 0
    return int(row[0]), int(row[1]), int(row[2]), int(row[3])


def _interrupt_after_some_bars(home: Path, env: dict[str, str]) -> tuple[int, float, str]:
    """Start a backfill, SIGINT it once bars are committed; return code, seconds to exit, stderr."""
    before = _series(home)[0]
    process = subprocess.Popen(
        [*TRADESTACK, "data", "backfill", "--bars", str(BARS)],
        env=env,
        cwd=home.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while _series(home)[0] <= before and process.poll() is None:
            assert time.monotonic() < deadline, "no bar committed within 120 s"
            time.sleep(0.2)
        assert process.poll() is None, "the backfill finished before it could be interrupted"
        process.send_signal(signal.SIGINT)
        sent = time.monotonic()
        _out, err = process.communicate(timeout=30)
        return process.returncode, time.monotonic() - sent, err
    finally:
        if process.poll() is None:
            process.kill()


def test_ctrl_c_stops_a_large_backfill_keeping_a_committed_prefix(home: Path) -> None:
    env = cli_env(home)
    code, exit_s, err = _interrupt_after_some_bars(home, env)
    assert code == 130, err
    assert exit_s < 4.0, f"took {exit_s:.1f} s to stop"
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "kept" in lines[0], err
    count, distinct, first, last = _series(home)
    assert 0 < count < BARS
    assert count == distinct == (last - first) // 60 + 1  # contiguous: no hole, no duplicate
    assert f"{count:,}" in lines[0] or str(count) in lines[0], (count, lines[0])

    code, exit_s, err = _interrupt_after_some_bars(home, env)  # the re-run continues the series
    assert code == 130 and exit_s < 4.0, err
    again, distinct_again, first_again, last_again = _series(home)
    assert first_again == first and again > count
    assert again == distinct_again == (last_again - first) // 60 + 1
