"""Throwaway Redis and NATS servers that a test may kill and restart.

The restart proof must not stop the machine's shared servers (other tests and
people use them), so it runs a private server of the same binary on a free
port with its own data directory: Redis with an fsync-always append-only
file, NATS with JetStream file storage. Killing it with SIGKILL and starting
it again on the same directory is a real crash and restart.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import time
from asyncio.subprocess import DEVNULL, Process
from pathlib import Path

import pytest

BINARIES = {
    "redis": ("redis-server", "/usr/bin/redis-server"),
    "nats": ("nats-server", "/usr/sbin/nats-server"),
}


def find_binary(kind: str) -> str:
    """Return the server binary, or skip (fail under TRADESTACK_REQUIRE_SERVICES=1)."""
    name, usual = BINARIES[kind]
    found = shutil.which(name) or (usual if Path(usual).exists() else None)
    if found is None:
        message = f"{name} is not installed; cannot run a private server"
        if os.environ.get("TRADESTACK_REQUIRE_SERVICES") == "1":
            pytest.fail(message + " (TRADESTACK_REQUIRE_SERVICES=1)")
        pytest.skip(message)
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PrivateServer:
    """One Redis or NATS server process owned by a test."""

    def __init__(self, kind: str, directory: Path) -> None:
        self.kind = kind
        self.binary = find_binary(kind)
        self.port = free_port()
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self.process: Process | None = None

    @property
    def url(self) -> str:
        scheme = "redis" if self.kind == "redis" else "nats"
        suffix = "/0" if self.kind == "redis" else ""
        return f"{scheme}://127.0.0.1:{self.port}{suffix}"

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

    async def start(self, timeout_s: float = 15.0) -> None:
        self.process = await asyncio.create_subprocess_exec(
            *self._command(), stdout=DEVNULL, stderr=DEVNULL
        )
        deadline = time.monotonic() + timeout_s
        while not await self._answers():
            if self.process.returncode is not None or time.monotonic() > deadline:
                raise RuntimeError(f"private {self.kind} server did not start on {self.port}")
            await asyncio.sleep(0.05)

    async def kill(self) -> None:
        """SIGKILL the server: no shutdown work, as in a crash."""
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)
            await asyncio.wait_for(self.process.wait(), 10)

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 10)
            except TimeoutError:
                await self.kill()

    async def _answers(self) -> bool:
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection("127.0.0.1", self.port), 1
            )
        except (OSError, TimeoutError):
            return False
        try:
            if self.kind == "redis":
                writer.write(b"PING\r\n")
                await writer.drain()
                line = await asyncio.wait_for(reader.readline(), 1)
                return line.startswith(b"+PONG")
            line = await asyncio.wait_for(reader.readline(), 1)
            return line.startswith(b"INFO")
        except (OSError, TimeoutError):
            return False
        finally:
            writer.close()
