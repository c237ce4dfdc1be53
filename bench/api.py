"""The gateway under load: HTTP latency, WebSocket fan-out, and memory with a reader that stalls.

Three processes on loopback: the gateway (``bench.api_gateway``: the real app
on uvicorn, SQLite, in-memory bus), and load generators (``bench.api_load``)
that never share its event loop.

- HTTP: open-loop GETs at ``--rate`` requests/s (500) for ``--seconds`` (10)
  to ``/api/v1/health`` and ``/api/v1/candlesticks/BTC-USDT?limit=100``;
  p50/p99 from each request's scheduled time. Target p99 < 10 ms.
- Fan-out: 100 clients on BTC/USDT; bars published as fast as the gateway
  delivers them without dropping (``max``), then at a fixed 200 bars/s
  (20,000 msgs/s, ``paced``) for the delivery latency without queueing.
  Target >= 50,000 msgs/s.
- Memory: 100 reading clients plus one that never reads, 300 bars/s, for
  ``--memory-s`` seconds (60 by default; the target is stated for 300:
  ``--memory-s 300``); gateway RSS sampled every second. Target < 300 MB.

Run: ``python -m bench.api [--quick] [--rate 500] [--seconds 10] [--memory-s 300]``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.report import Result, print_table

CANDLES = "/api/v1/candlesticks/BTC-USDT?limit=100"
MEMORY_BARS_PER_S = 300


def _option(name: str, default: float) -> float:
    return float(sys.argv[sys.argv.index(name) + 1]) if name in sys.argv else default


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _cpu_s(pid: int) -> float:
    """User plus system CPU seconds the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Gateway:
    def __init__(self, home: Path) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bench.api_gateway",
                "--home",
                str(home),
                "--port",
                str(self.port),
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.base + "/api/v1/health").status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError("the gateway did not start")

    def publish(self, count: int, rate: float) -> None:
        response = httpx.post(self.base + "/bench/publish", params={"count": count, "rate": rate})
        response.raise_for_status()

    def stats(self) -> dict[str, Any]:
        return httpx.get(self.base + "/bench/stats").json()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def _load(gateway: Gateway, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bench.api_load", *args, "--port", str(gateway.port)],
        stdout=subprocess.PIPE,
        text=True,
    )


def _wait_ready(process: subprocess.Popen[str]) -> None:
    assert process.stdout is not None
    line = process.stdout.readline()
    if line.strip() != "ready":
        raise RuntimeError(f"load generator failed: {line!r}")


def _result(process: subprocess.Popen[str]) -> dict[str, Any]:
    out, _ = process.communicate(timeout=900)
    return json.loads(out.strip().splitlines()[-1])


def http_bench(gateway: Gateway, rate: float, seconds: float) -> list[dict[str, Any]]:
    rows = []
    for path in ("/api/v1/health", CANDLES):
        args = ["http", "--path", path, "--rate", str(rate), "--seconds", str(seconds)]
        cpu_before = _cpu_s(gateway.process.pid)
        row = _result(_load(gateway, *args))
        row["cpu_ms_per_request"] = (
            (_cpu_s(gateway.process.pid) - cpu_before) * 1000 / row["requests"]
        )
        rows.append(row)
    return rows


def fanout_bench(gateway: Gateway, clients: int, bars: int, rate: float) -> dict[str, Any]:
    process = _load(
        gateway, "ws", "--clients", str(clients), "--expect", str(bars), "--seconds", "120"
    )
    _wait_ready(process)
    gateway.publish(bars, rate)
    return _result(process)


def memory_bench(gateway: Gateway, clients: int, seconds: float) -> dict[str, Any]:
    args = ["hold", "--clients", str(clients), "--never-reading", "1", "--seconds", str(seconds)]
    process = _load(gateway, *args)
    _wait_ready(process)
    rate = MEMORY_BARS_PER_S
    gateway.publish(int(rate * seconds), rate)
    samples = [_rss_mb(gateway.process.pid)]
    started = time.monotonic()
    disconnected_after = None
    while time.monotonic() - started < seconds - 1:
        time.sleep(1)
        samples.append(_rss_mb(gateway.process.pid))
        if disconnected_after is None and gateway.stats()["clients"] <= clients:
            disconnected_after = time.monotonic() - started
    result = _result(process)
    return {
        **result,
        "rss_start_mb": samples[0],
        "rss_peak_mb": max(samples),
        "rss_end_mb": samples[-1],
        "seconds": seconds,
        "disconnected_after_s": disconnected_after,
        "stats": gateway.stats(),
    }


def main(*, quick: bool = False) -> None:
    rate = _option("--rate", 500)
    seconds = _option("--seconds", 3 if quick else 10)
    memory_s = _option("--memory-s", 10 if quick else 60)
    bars = 500 if quick else 3000
    with tempfile.TemporaryDirectory() as tmp:
        gateway = Gateway(Path(tmp))
        try:
            http_rows = http_bench(gateway, rate, seconds)
            saturated = fanout_bench(gateway, 100, bars, 0)
            paced = fanout_bench(gateway, 100, bars // 3, 200)
            memory = memory_bench(gateway, 100, memory_s)
        finally:
            gateway.stop()

    results = [
        Result(
            row["path"],
            row["requests"],
            row["seconds"],
            f"p50 {row['p50_ms']:.2f} ms, p99 {row['p99_ms']:.2f} ms, max {row['max_ms']:.1f} ms; "
            f"gateway CPU {row['cpu_ms_per_request']:.2f} ms/request"
            + (f", {row['errors']} errors" if row["errors"] else ""),
        )
        for row in http_rows
    ]
    print_table(
        f"HTTP at {rate:g} requests/s, open loop, 16 connections",
        "requests",
        results,
        results[0].name,
    )
    fan = [
        Result(
            name,
            row["received"],
            row["seconds"],
            f"{row['received']:,}/{row['expected']:,} delivered; "
            f"p50 {row['p50_ms']:.2f} ms, p99 {row['p99_ms']:.2f} ms",
        )
        for name, row in (
            ("max (publisher paced by the queues)", saturated),
            ("paced, 200 bars/s", paced),
        )
    ]
    print_table("WebSocket fan-out: 100 clients on BTC/USDT", "msgs", fan, fan[0].name)
    stats = memory["stats"]
    after = memory["disconnected_after_s"]
    how = (
        "never"
        if after is None
        else f"after {after:.0f} s ("
        + ("too slow: its queue overflowed" if stats["closed_slow"] else "keepalive ping timeout")
        + ")"
    )
    print(
        f"memory: gateway RSS {memory['rss_start_mb']:.0f} MB at start, peak "
        f"{memory['rss_peak_mb']:.0f} MB, {memory['rss_end_mb']:.0f} MB after "
        f"{memory['seconds']:.0f} s with {memory['clients']} readers + 1 never reading at "
        f"{MEMORY_BARS_PER_S} bars/s ({memory['received']:,} messages delivered); "
        f"the stalled reader was disconnected {how}"
    )
    worst_p99 = max(row["p99_ms"] for row in http_rows)
    print(
        f"targets: HTTP p99 < 10 ms (worst here {worst_p99:.2f} ms); fan-out >= 50,000 msgs/s "
        f"(here {saturated['received'] / max(saturated['seconds'], 1e-9):,.0f}); "
        f"RSS < 300 MB (peak here {memory['rss_peak_mb']:.0f} MB)"
    )


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
