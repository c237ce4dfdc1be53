"""Run the ``tradestack`` CLI as a process, as a user or an operator would."""

from __future__ import annotations

import contextlib
import io
import logging
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import httpx

TRADESTACK = [sys.executable, "-m", "tradestack.cli"]
T = TypeVar("T")
_IN_PROCESS = False

FAST_TRADING = {
    "TRADESTACK_RUN__REPLAY": "fast",
    "TRADESTACK_RUN__TIMEFRAME": "1m",
    "TRADESTACK_RUN__HISTORY_BARS": "300",
    "TRADESTACK_RUN__STRATEGY_PARAMS": '{"fast": 3, "slow": 8}',
}
"""A fast replay of 1m bars, a short history and quick averages: trades within seconds."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def cli_env(home: Path, **extra: str) -> dict[str, str]:
    """The caller's environment without its TRADESTACK_* variables, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRADESTACK_")}
    env.update({"TRADESTACK_HOME": str(home), "COLUMNS": "200", **extra})
    return env


def use_in_process(enabled: bool) -> None:
    """Run short commands inside this interpreter: the same code, without 3-6 s of imports.

    The tests turn it on to fit the suite in CI's time; the bench keeps real processes.
    Long-running commands (``run``, ``up``) are always processes.
    """
    global _IN_PROCESS
    _IN_PROCESS = enabled


def run_cli(
    *args: str, env: dict[str, str], cwd: Path, timeout_s: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run one CLI command to its end and return its exit code and output."""
    if _IN_PROCESS:
        return _run_in_process(list(args), env, cwd)
    return subprocess.run(
        [*TRADESTACK, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout_s
    )


def _run_in_process(
    args: list[str], env: dict[str, str], cwd: Path
) -> subprocess.CompletedProcess[str]:
    from tradestack.cli.main import main

    saved_env, saved_argv, saved_cwd = dict(os.environ), sys.argv, Path.cwd()
    out, err = io.StringIO(), io.StringIO()
    handler = logging.StreamHandler(err)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    saved_handlers = root.handlers[:]
    root.handlers = [handler]
    code = 0
    try:
        os.environ.clear()
        os.environ.update(env)
        os.chdir(cwd)
        sys.argv = ["tradestack", *args]
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main()
            except SystemExit as stop:
                code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
            except BaseException:  # what a process would print as a traceback before dying
                import traceback

                traceback.print_exc(file=err)
                code = 1
    finally:
        root.handlers = saved_handlers
        os.environ.clear()
        os.environ.update(saved_env)
        os.chdir(saved_cwd)
        sys.argv = saved_argv
    return subprocess.CompletedProcess(
        ["tradestack", *args], code, stdout=out.getvalue(), stderr=err.getvalue()
    )


def spawn(args: list[str], env: dict[str, str], cwd: Path, log: Path) -> subprocess.Popen[bytes]:
    """Start the CLI in its own session (so a signal reaches its whole group), output to ``log``."""
    with log.open("ab") as out:
        return subprocess.Popen(
            [*TRADESTACK, *args],
            env=env,
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def wait_for(predicate: Callable[[], T | None], timeout_s: float, what: str) -> T:
    """Poll ``predicate`` until it returns something truthy; raise AssertionError on timeout."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            value = predicate()
        except (httpx.HTTPError, sqlite3.Error, OSError):
            value = None
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout_s:g} s waiting for {what}")


def interrupt(process: subprocess.Popen[bytes], timeout_s: float = 60) -> int:
    """Ctrl-C the process and wait for it; SIGKILL it if it does not stop in time."""
    if process.poll() is not None:
        return process.returncode
    process.send_signal(signal.SIGINT)
    try:
        return process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
        return -9


def kill(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL: no shutdown work, as in a crash or the OOM killer."""
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)


def healthy(base: str) -> bool:
    return httpx.get(f"{base}/health", timeout=2).status_code == 200


def sqlite_rows(path: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    connection = sqlite3.connect(path, timeout=30)
    try:
        return list(connection.execute(sql, params).fetchall())
    finally:
        connection.close()


def one_line_error(stderr: str) -> bool:
    """True when the CLI said what went wrong in one line and showed no traceback."""
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    return len(lines) == 1 and "Traceback" not in stderr
