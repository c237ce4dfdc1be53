"""A private Redis or NATS server for a scenario that kills the broker; never the shared one."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

from bench.reliability_cases.process import free_port

BINARIES = {
    "redis": ("redis-server", "/usr/bin/redis-server"),
    "nats": ("nats-server", "/usr/sbin/nats-server"),
}


class BrokerMissing(Exception):
    """The server binary is not installed."""


def find_binary(kind: str) -> str:
    name, usual = BINARIES[kind]
    found = shutil.which(name) or (usual if Path(usual).exists() else None)
    if found is None:
        raise BrokerMissing(f"{name} is not installed; cannot run a private {kind} server")
    return found


class PrivateBroker:
    """One server process on a free port with its own data directory, durable across a SIGKILL."""

    def __init__(self, kind: str, directory: Path) -> None:
        self.kind = kind
        self.binary = find_binary(kind)
        self.port = free_port()
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        if self.kind == "redis":
            return f"redis://127.0.0.1:{self.port}/0"
        return f"nats://127.0.0.1:{self.port}"

    def _command(self) -> list[str]:
        if self.kind == "redis":
            return [
                self.binary,
                *("--port", str(self.port), "--bind", "127.0.0.1", "--save", ""),
                *("--appendonly", "yes", "--appendfsync", "always"),
                *("--dir", str(self.directory), "--logfile", str(self.directory / "redis.log")),
            ]
        return [
            self.binary,
            *("-a", "127.0.0.1", "-p", str(self.port), "-js"),
            *("-sd", str(self.directory), "-l", str(self.directory / "nats.log")),
        ]

    def start(self, timeout_s: float = 20.0) -> None:
        self.process = subprocess.Popen(
            self._command(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + timeout_s
        while not self._answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"private {self.kind} server did not start on {self.port}")
            time.sleep(0.05)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as connection:
                if self.kind == "redis":
                    connection.sendall(b"PING\r\n")
                    return connection.recv(16).startswith(b"+PONG")
                return connection.recv(4).startswith(b"INFO")
        except OSError:
            return False
