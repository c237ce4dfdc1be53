"""Scenario 3: the disk under TRADESTACK_HOME fills up during a backfill and during trading.

TRADESTACK_HOME is a small tmpfs mounted for the scenario (this needs root).
What must hold: one clear error line, ``PRAGMA integrity_check`` is ``ok``,
and once space is freed the same command (or a restart) works.
"""

from __future__ import annotations

import contextlib
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

from bench.reliability_cases.outcome import Outcome
from bench.reliability_cases.process import one_line_error, sqlite_rows, wait_for
from bench.reliability_cases.running import platform

FULL_WORDS = "no space left"


class MountRefused(Exception):
    """tmpfs could not be mounted here (not root, or no mount namespace rights)."""


@contextlib.contextmanager
def tmpfs(path: Path, size_mb: int) -> Iterator[Path]:
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_mb}m", "tmpfs", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise MountRefused(done.stderr.strip() or f"mount exited {done.returncode}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True, check=False)


def resize(path: Path, size_mb: int) -> None:
    subprocess.run(
        ["mount", "-o", f"remount,size={size_mb}m", str(path)], check=True, capture_output=True
    )


def fill(path: Path) -> Path:
    """Write a ballast file until the filesystem refuses another byte."""
    ballast = path / "ballast"
    block = b"\0" * 65_536
    with ballast.open("wb") as out:
        try:
            while True:
                out.write(block)
                out.flush()
        except OSError:
            pass
    with contextlib.suppress(OSError), ballast.open("ab") as out:
        while True:
            out.write(b"\0")
            out.flush()
    return ballast


def integrity(db: Path) -> str:
    return str(sqlite_rows(db, "PRAGMA integrity_check")[0][0])


def run(
    workdir: Path, *, backfill_bars: int = 100_000, size_mb: int = 3, full_s: float = 5.0
) -> Outcome:
    outcome = Outcome(
        scenario="3 disk full",
        injected=f"TRADESTACK_HOME on a {size_mb} MiB tmpfs: full in backfill and in trading",
        must_hold="one clear error line, integrity_check ok, works after space is freed",
    )
    try:
        with tmpfs(workdir / "home", size_mb) as home:
            _backfill(workdir, home, backfill_bars, size_mb, outcome)
            _trading(workdir, home, full_s, outcome)
    except MountRefused as error:
        outcome.skipped = f"cannot mount a tmpfs: {error}"
    return outcome


# A series the paper trader does not trade: a backfill up to now leaves the trader's own
# series to the fast replay, which trades within seconds.
BACKFILLED = ("--symbol", "ETH/USDT")


def _backfill(workdir: Path, home: Path, bars: int, size_mb: int, outcome: Outcome) -> None:
    with platform(workdir, start=False) as running:
        done = running.cli("data", "backfill", *BACKFILLED, "--bars", str(bars))
        clear = done.returncode != 0 and one_line_error(done.stderr)
        clear = clear and FULL_WORDS in done.stderr
        outcome.expect(clear, f"backfill on a full disk: {done.returncode} {done.stderr[-400:]!r}")
        state = integrity(home / "tradestack.db")
        outcome.expect(state == "ok", f"integrity after a full backfill: {state}")
        resize(home, size_mb * 8)
        started = time.monotonic()
        again = running.cli("data", "backfill", *BACKFILLED, "--bars", str(bars // 10))
        outcome.recovery_s.append(time.monotonic() - started)
        outcome.expect(again.returncode == 0, f"backfill after freeing space: {again.stderr}")
    outcome.counts["backfill: clear error"] = clear
    outcome.counts["integrity"] = state


def _trading(workdir: Path, home: Path, full_s: float, outcome: Outcome) -> None:
    with platform(workdir) as running:
        running.wait_filled()
        ballast = fill(home)
        time.sleep(full_s)
        alive = running.process is not None and running.process.poll() is None
        code = running.stop()
        log = running.log.read_text(errors="replace")
        full_lines = [line for line in log.splitlines() if FULL_WORDS in line]
        tracebacks = log.count("Traceback")
        outcome.counts["trading: error lines"] = len(full_lines)
        outcome.counts["tracebacks"] = tracebacks
        # One line per component that hit the full disk, no flood: the feed, the audit sink,
        # the journal (its first failed write, and what it could not write at the stop).
        outcome.expect(
            1 <= len(full_lines) <= 6, f"{len(full_lines)} 'no space left' lines while trading"
        )
        outcome.expect(tracebacks == 0, f"{tracebacks} tracebacks in the run log")
        outcome.counts["trading: exit"] = code if not alive else f"{code} (after Ctrl-C)"
        state = integrity(home / "tradestack.db")
        outcome.expect(state == "ok", f"integrity after trading on a full disk: {state}")
        ballast.unlink()
        before = int(sqlite_rows(home / "tradestack.db", "SELECT count(*) FROM fills")[0][0])
        started = time.monotonic()
        running.start()
        outcome.recovery_s.append(time.monotonic() - started)
        wait_for(
            lambda: (
                int(sqlite_rows(home / "tradestack.db", "SELECT count(*) FROM fills")[0][0])
                > before
            ),
            90,
            "a new fill after the restart",
        )
        outcome.counts["integrity"] = f"{outcome.counts['integrity']}/{state}"
