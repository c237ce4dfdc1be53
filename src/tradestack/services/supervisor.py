"""The supervisor: every service as its own OS process, restarted with back-off when it dies.

It writes ``$TRADESTACK_HOME/services.json`` (name, pid, state, restarts) so
operators and tests can see what runs, and prints a line on every change.
SIGINT or SIGTERM asks each service to drain, waits, and kills what is left.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from tradestack.config.settings import Settings

DRAIN_ORDER = ("market-data", "exec-risk", "strategy", "analytics", "gateway")
STABLE_AFTER_S = 30.0
STOP_GRACE_S = 30.0


@dataclass(slots=True)
class ServiceState:
    name: str
    pid: int | None = None
    state: str = "starting"
    restarts: int = 0
    last_exit_code: int | None = None


class Supervisor:
    def __init__(
        self,
        settings: Settings,
        names: Sequence[str],
        *,
        command: Sequence[str] = (sys.executable, "-m", "tradestack.cli", "service"),
        report: Callable[[str], None] = print,
    ) -> None:
        self.settings = settings
        self.names = list(names)
        self.command = list(command)
        self.report = report
        self.states = {name: ServiceState(name) for name in self.names}
        self.processes: dict[str, asyncio.subprocess.Process] = {}
        self.status_file = Path(settings.home) / "services.json"
        self._stopping = asyncio.Event()

    async def run(self) -> None:
        """Start every service and keep them running until asked to stop."""
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, self._stopping.set)
        watchers = [asyncio.create_task(self._keep_running(name)) for name in self.names]
        await self._stopping.wait()
        await self._stop_all()
        for watcher in watchers:
            watcher.cancel()
        await asyncio.gather(*watchers, return_exceptions=True)
        self._write_status()

    def stop(self) -> None:
        self._stopping.set()

    async def _keep_running(self, name: str) -> None:
        failures = 0
        services = self.settings.services
        while not self._stopping.is_set():
            started = time.monotonic()
            process = await asyncio.create_subprocess_exec(
                *self.command, name, env=os.environ.copy()
            )
            self.processes[name] = process
            state = self.states[name]
            state.pid, state.state = process.pid, "running"
            self._changed(name)
            code = await process.wait()
            if self._stopping.is_set():
                break
            state.last_exit_code, state.state = code, "restarting"
            state.restarts += 1
            failures = 0 if time.monotonic() - started > STABLE_AFTER_S else failures + 1
            delay = min(
                services.restart_backoff_s * 2 ** max(failures - 1, 0),
                services.restart_backoff_max_s,
            )
            self._changed(name, f"exited with {code}; restarting in {delay:.1f} s")
            try:
                await asyncio.wait_for(self._stopping.wait(), delay)
            except TimeoutError:
                continue

    async def _stop_all(self) -> None:
        """Drain upstream first (market-data, exec-risk, strategy, ...), one at a time.

        Each service finishes what the one before it already published, so a
        stop leaves no bar half done. exec-risk drains before the strategy
        service because it needs the strategy's answer to finish each bar.
        """
        order = [n for n in DRAIN_ORDER if n in self.names]
        for name in order + [n for n in self.names if n not in order]:
            process = self.processes.get(name)
            if process is None:
                continue
            if process.returncode is None:
                self.states[name].state = "draining"
                self._changed(name)
                process.send_signal(signal.SIGTERM)
            try:
                code = await asyncio.wait_for(process.wait(), STOP_GRACE_S)
            except TimeoutError:
                process.kill()
                code = await process.wait()
            self.states[name].state, self.states[name].last_exit_code = "stopped", code
            self._changed(name)

    def _changed(self, name: str, note: str = "") -> None:
        state = self.states[name]
        line = f"{name:<12} {state.state:<10} pid {state.pid} restarts {state.restarts}"
        self.report(line + (f" - {note}" if note else ""))
        self._write_status()

    def _write_status(self) -> None:
        self.status_file.parent.mkdir(parents=True, exist_ok=True)
        data = {"updated": time.time(), "services": [asdict(s) for s in self.states.values()]}
        temporary = self.status_file.with_suffix(".tmp")
        temporary.write_text(json.dumps(data, indent=2))
        temporary.replace(self.status_file)
