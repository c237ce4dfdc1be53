"""A ``tradestack run`` process on a private home and port, with tokens made by the CLI."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.reliability_cases.process import (
    FAST_TRADING,
    cli_env,
    free_port,
    healthy,
    interrupt,
    run_cli,
    spawn,
    wait_for,
)


@dataclass
class Platform:
    home: Path
    workdir: Path
    env: dict[str, str]
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base(self) -> str:
        return f"{self.root}/api/v1"

    @property
    def log(self) -> Path:
        return self.workdir / "run.log"

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return run_cli(*args, env=self.env, cwd=self.workdir)

    def token(self, name: str, role: str, *extra: str) -> str:
        """Create a token with the CLI and return its secret (the last line it prints)."""
        done = self.cli("token", "create", "--name", name, "--role", role, *extra)
        if done.returncode != 0:
            raise AssertionError(f"token create failed: {done.stderr}")
        return done.stdout.strip().splitlines()[-1]

    def start(self) -> None:
        self.process = spawn(["run"], self.env, self.workdir, self.log)
        wait_for(lambda: healthy(self.base), 120, "tradestack run to answer /health")

    def stop(self) -> int:
        return interrupt(self.process) if self.process is not None else 0

    def wait_filled(self, timeout_s: float = 90) -> list[dict[str, object]]:
        def filled() -> list[dict[str, object]]:
            page = httpx.get(
                f"{self.base}/orders", params={"status": "FILLED", "limit": 1000}, timeout=5
            )
            return list(page.json()["items"])

        return wait_for(filled, timeout_s, "a filled order")


def platform_env(home: Path, port: int, **extra: str) -> dict[str, str]:
    settings = {
        "TRADESTACK_API_PORT": str(port),
        "TRADESTACK_RUN__REPLAY_INTERVAL_S": "0.05",
        **FAST_TRADING,
        **extra,
    }
    return cli_env(home, **settings)


@contextmanager
def platform(workdir: Path, *, start: bool = True, **extra: str) -> Iterator[Platform]:
    """Yield a platform on a fresh home; stopped with Ctrl-C on the way out."""
    workdir.mkdir(parents=True, exist_ok=True)
    home = workdir / "home"
    port = free_port()
    running = Platform(home=home, workdir=workdir, env=platform_env(home, port, **extra), port=port)
    try:
        if start:
            running.start()
        yield running
    finally:
        running.stop()
