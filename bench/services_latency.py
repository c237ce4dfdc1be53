"""The services shape on one machine: bar-to-fill latency across processes, and 100 traders.

The exec-risk and strategy services run as their own OS processes
(``tradestack service NAME``) on PostgreSQL and a real broker (Redis Streams,
then NATS JetStream); this process plays market-data, publishing bars, and
listens for ``order.filled``.

- ``latency``: one trader whose strategy trades every few bars, one bar every
  ``--interval`` ms (no queueing): for each fill, the time from publishing the
  bar it filled on to receiving its ``order.filled`` (exec-risk settles the bar,
  the strategy service evaluates it, exec-risk acts, the journal commits and
  publishes). p50 and p99.
- ``100 traders``: a hundred traders on one series, bars published as fast as
  the broker takes them; trader-bars finished per second (until every
  trader's stored progress reached the last bar).

Run: ``python -m bench.services_latency [--bars N] [--traders N] [--bus redis|nats]``.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from bench.data import drop_postgres, fresh_postgres, postgres_up
from bench.report import Result, print_table
from tradestack.bus.factory import build_bus
from tradestack.bus.port import EventBus
from tradestack.config.loader import load_settings
from tradestack.config.settings import Settings
from tradestack.domain.events import Event, EventType
from tradestack.domain.market import Bar
from tradestack.kernel import prepare_database
from tradestack.marketdata.replay import bar_event
from tradestack.storage.database import Database
from tradestack.storage.repositories.progress import load_progress
from tradestack.traders import admin
from tradestack.traders.spec import TraderSpec

BUSES = {"redis": ("redis://127.0.0.1:6379/0", 6379), "nats": ("nats://127.0.0.1:4222", 4222)}
START = datetime(2030, 1, 1, tzinfo=UTC)
SERVICES = ("strategy", "exec-risk")


def up(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def zigzag(count: int) -> list[Bar]:
    """Closes up three bars, down three: an SMA(2, 3) crossing every few bars."""
    out = []
    price = 100.0
    for i in range(count):
        price += 1.0 if (i // 3) % 2 == 0 else -1.0
        ts = START + timedelta(minutes=i)
        out.append(Bar("BTC/USDT", "1m", ts, price, price + 0.5, price - 0.5, price, 1e9))
    return out


def environment(settings: Settings, home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        TRADESTACK_HOME=str(home),
        TRADESTACK_DATABASE_URL=settings.database_url,
        TRADESTACK_EVENT_BUS=settings.event_bus,
        TRADESTACK_BUS_URL=str(settings.bus_url),
        TRADESTACK_BUS__NAMESPACE=settings.bus.namespace,
        TRADESTACK_SERVICES__STRATEGY_PORT=str(free_port()),
        TRADESTACK_SERVICES__EXEC_RISK_PORT=str(free_port()),
        TRADESTACK_SERVICES__HEARTBEAT_INTERVAL_S="0.2",
        TRADESTACK_RUN__HISTORY_BARS="0",
        TRADESTACK_RUN__STRATEGY_PARAMS='{"fast": 2, "slow": 3}',
        TRADESTACK_LOG_LEVEL="WARNING",
    )
    return env


class Shape:
    """The two services as processes, plus this process's bus to publish and listen."""

    def __init__(self, bus_name: str, traders: int, home: Path) -> None:
        self.bus_name = bus_name
        self.traders = traders
        self.home = home
        self.processes: list[subprocess.Popen[bytes]] = []
        self.fills: dict[datetime, float] = {}
        self.beats: set[str] = set()

    async def __aenter__(self) -> Shape:
        url, _port = BUSES[self.bus_name]
        self.database = await fresh_postgres()
        self.settings = load_settings(
            home=self.home,
            database_url=self.database,
            event_bus=self.bus_name,
            bus_url=url,
            bus={"namespace": f"bench{uuid.uuid4().hex[:8]}"},
            run={"history_bars": 0, "strategy_params": {"fast": 2, "slow": 3}},
        )
        self.db = Database(self.database)
        await prepare_database(self.settings, self.db)
        for i in range(1, self.traders):
            spec = TraderSpec(f"t{i:03d}", "sma_cross", {"fast": 2, "slow": 3}, "BTC/USDT", "1m")
            await admin.add_trader(self.db, self.settings, spec)
        self.bus: EventBus = build_bus(self.settings)
        self.bus.subscribe(EventType.ORDER_FILLED, self._filled, group="bench-fills")
        self.bus.subscribe(EventType.SERVICE_HEARTBEAT, self._beat, group="bench-beats")
        await self.bus.start()
        env = environment(self.settings, self.home)
        for name in SERVICES:
            self.processes.append(
                subprocess.Popen(  # noqa: ASYNC220 - started once, before anything is timed
                    [sys.executable, "-m", "tradestack.cli", "service", name],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        deadline = time.monotonic() + 300
        while self.beats != set(SERVICES):
            if time.monotonic() > deadline:
                raise RuntimeError(f"services did not start (heard from {sorted(self.beats)})")
            await asyncio.sleep(0.1)
        await asyncio.sleep(1.0)  # let exec-risk start every trader
        return self

    async def __aexit__(self, *_exc: object) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
        await self.bus.close()
        await self.db.dispose()
        await drop_postgres(self.database)

    async def _filled(self, event: Event) -> None:
        order = event.payload.get("order") or {}
        updated = order.get("updated_at")
        if updated:
            self.fills.setdefault(datetime.fromisoformat(updated), time.perf_counter())

    async def _beat(self, event: Event) -> None:
        self.beats.add(str(event.payload.get("service")))

    async def finished(self, last: datetime, trader_id: str = "default") -> bool:
        async with self.db.read() as connection:
            return await load_progress(connection, trader_id, "execution") == last


async def latency(bus_name: str, count: int, interval_s: float) -> Result:
    with tempfile.TemporaryDirectory() as home:
        async with Shape(bus_name, 1, Path(home)) as shape:
            published: dict[datetime, float] = {}
            for bar in zigzag(count):
                published[bar.ts] = time.perf_counter()
                await shape.bus.publish(bar_event(bar))
                await asyncio.sleep(interval_s)
            await asyncio.sleep(1.0)
            waits = [shape.fills[ts] - published[ts] for ts in shape.fills if ts in published]
    if not waits:
        return Result(f"{bus_name} bar-to-fill", 0, 1.0, "no fills")
    ms = np.array(waits) * 1000
    note = f"p50 {np.percentile(ms, 50):.1f} ms, p99 {np.percentile(ms, 99):.1f} ms"
    return Result(f"{bus_name} bar-to-fill", len(ms), float(np.sum(ms)) / 1000, note)


async def throughput(bus_name: str, traders: int, count: int) -> Result:
    with tempfile.TemporaryDirectory() as home:
        async with Shape(bus_name, traders, Path(home)) as shape:
            bars = zigzag(count)
            started = time.perf_counter()
            await shape.bus.publish_many([bar_event(bar) for bar in bars])
            deadline = time.monotonic() + 600
            while not await shape.finished(bars[-1].ts, f"t{traders - 1:03d}"):
                if time.monotonic() > deadline:
                    raise RuntimeError("exec-risk did not finish the bars")
                await asyncio.sleep(0.05)
            elapsed = time.perf_counter() - started
    note = f"{count:,} bars x {traders} traders in {elapsed:.1f} s ({count / elapsed:,.0f} bars/s)"
    return Result(f"{bus_name} {traders} traders", traders * count, elapsed, note)


def main(*, quick: bool = False) -> None:
    if not postgres_up():
        print("services_latency: PostgreSQL is not running on 127.0.0.1:5432; skipped")
        return
    count = 60 if quick else 300
    traders = 20 if quick else 100
    interval_s = 0.1  # slower than one round trip: latency without queueing
    names = [n for n, (_url, port) in BUSES.items() if up(port)]
    if "--bars" in sys.argv:
        count = int(sys.argv[sys.argv.index("--bars") + 1])
    if "--traders" in sys.argv:
        traders = int(sys.argv[sys.argv.index("--traders") + 1])
    if "--bus" in sys.argv:
        names = [sys.argv[sys.argv.index("--bus") + 1]]
    results = []
    for name in names:
        results.append(asyncio.run(latency(name, count, interval_s)))
        results.append(asyncio.run(throughput(name, traders, max(count // 3, 30))))
    if results:
        print_table(
            "services shape on one machine (exec-risk + strategy processes, PostgreSQL)",
            "items",
            results,
            results[0].name,
        )


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
