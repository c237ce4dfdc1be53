"""Scenario 2: the services shape on PostgreSQL and a private Redis or NATS server.

Injected while trading: the broker is SIGKILLed and kept down for a while,
then started again on its own data; every service is SIGKILLed once (one at a
time at full size, all at once in the short version). What must hold: no
order placed twice, no acknowledged event lost (every stored fill has its
``order.filled`` event in the audit table, and execution finished every bar the
strategy evaluated), and the time to recover is measured.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from bench.reliability_cases.brokers import BrokerMissing, PrivateBroker
from bench.reliability_cases.outcome import Outcome
from bench.reliability_cases.process import (
    FAST_TRADING,
    cli_env,
    free_port,
    interrupt,
    spawn,
    wait_for,
)

SERVICES = ("market-data", "strategy", "exec-risk", "analytics", "gateway")
POSTGRES_ADMIN = os.environ.get(
    "TRADESTACK_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)


def _pg(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def _admin(sql: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(_pg(POSTGRES_ADMIN), timeout=5)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def query(url: str, sql: str) -> list[tuple[Any, ...]]:
    import asyncpg

    async def go() -> list[tuple[Any, ...]]:
        connection = await asyncpg.connect(_pg(url))
        try:
            return [tuple(row) for row in await connection.fetch(sql)]
        finally:
            await connection.close()

    return asyncio.run(go())


def _services(home: Path) -> dict[str, dict[str, Any]]:
    try:
        data = json.loads((home / "services.json").read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return {}
    return {s["name"]: s for s in data["services"]}


def _fills(url: str) -> int:
    return int(query(url, "SELECT count(*) FROM fills")[0][0])


def _executed(url: str) -> object:
    """The newest bar execution has finished: it moves on once the whole chain works again."""
    rows = query(url, "SELECT max(last_bar_ts) FROM trader_progress WHERE role = 'execution'")
    return rows[0][0]


def run(
    workdir: Path, *, bus: str = "redis", broker_down_s: float = 10.0, one_at_a_time: bool = True
) -> Outcome:
    outcome = Outcome(
        scenario=f"2 services shape ({bus})",
        injected=f"broker SIGKILL + {broker_down_s:g} s down; SIGKILL of each service "
        + ("one at a time" if one_at_a_time else "at once"),
        must_hold="0 orders twice, 0 acknowledged events lost",
    )
    try:
        broker = PrivateBroker(bus, workdir / f"{bus}-data")
    except BrokerMissing as error:
        outcome.skipped = str(error)
        return outcome
    name = f"tradestack_rel_{uuid.uuid4().hex[:10]}"
    try:
        asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    except (OSError, Exception) as error:  # unreachable server or refused
        outcome.skipped = f"PostgreSQL at {POSTGRES_ADMIN} is unusable: {error}"
        return outcome
    database = POSTGRES_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    broker.start()
    try:
        _drive(workdir, broker, database, broker_down_s, one_at_a_time, outcome)
    finally:
        broker.stop()
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    return outcome


def _drive(
    workdir: Path,
    broker: PrivateBroker,
    database: str,
    broker_down_s: float,
    one_at_a_time: bool,
    outcome: Outcome,
) -> None:
    home = workdir / "home"
    api_port = free_port()
    env = cli_env(
        home,
        TRADESTACK_DATABASE_URL=database,
        TRADESTACK_EVENT_BUS=broker.kind,
        TRADESTACK_BUS_URL=broker.url,
        TRADESTACK_BUS__NAMESPACE=f"rel{uuid.uuid4().hex[:8]}",
        TRADESTACK_BUS__CLAIM_IDLE_S="1",
        TRADESTACK_API_PORT=str(api_port),
        TRADESTACK_SERVICES__MARKET_DATA_PORT=str(free_port()),
        TRADESTACK_SERVICES__STRATEGY_PORT=str(free_port()),
        TRADESTACK_SERVICES__EXEC_RISK_PORT=str(free_port()),
        TRADESTACK_SERVICES__ANALYTICS_PORT=str(free_port()),
        TRADESTACK_SERVICES__HEARTBEAT_INTERVAL_S="0.5",
        TRADESTACK_SERVICES__RESTART_BACKOFF_MAX_S="2",
        TRADESTACK_RUN__REPLAY_INTERVAL_S="0.1",
        **{**FAST_TRADING, "TRADESTACK_RUN__HISTORY_BARS": "200"},
    )
    base = f"http://127.0.0.1:{api_port}/api/v1"
    supervisor = spawn(["up", "--services"], env, workdir, workdir / "supervisor.log")
    try:
        wait_for(lambda: httpx.get(f"{base}/health", timeout=3).status_code == 200, 120, "gateway")
        wait_for(lambda: _fills(database), 120, "a first fill")

        # The broker dies mid-stream and stays down.
        broker.kill()
        time.sleep(broker_down_s)
        broker.start()
        restarted = time.monotonic()
        before = _executed(database)
        wait_for(lambda: _executed(database) != before, 120, "trading after the broker came back")
        outcome.recovery_s.append(time.monotonic() - restarted)
        outcome.counts["broker recovery s"] = round(time.monotonic() - restarted, 2)

        groups = [[s] for s in SERVICES] if one_at_a_time else [list(SERVICES)]
        for group in groups:
            outcome.recovery_s.append(_kill_and_recover(home, base, database, group))
        _converge(database)
    finally:
        os.killpg(supervisor.pid, signal.SIGINT)
        code = interrupt(supervisor, timeout_s=90)
    log = (workdir / "supervisor.log").read_text(errors="replace")
    outcome.expect(code == 0, f"the supervisor exited {code}")
    restarts = {name: int(state.get("restarts", 0)) for name, state in _services(home).items()}
    outcome.counts["service restarts"] = sum(restarts.values())
    outcome.expect(
        all(restarts.get(name, 0) >= 1 for name in SERVICES),
        f"not every service restarted: {restarts}",
    )
    outcome.counts["tracebacks in log"] = log.count("Traceback")
    _check(database, outcome)


def _kill_and_recover(home: Path, base: str, database: str, names: list[str]) -> float:
    """SIGKILL ``names``; return seconds until each runs again and execution moves on."""
    victims = {name: int(_services(home)[name]["pid"]) for name in names}
    before = _executed(database)
    started = time.monotonic()
    for pid in victims.values():
        os.kill(pid, signal.SIGKILL)

    def back() -> bool:
        states = _services(home)
        return all(
            states.get(name, {}).get("pid") not in (None, pid)
            and states.get(name, {}).get("state") == "running"
            for name, pid in victims.items()
        )

    wait_for(back, 120, f"{', '.join(names)} to be restarted")
    wait_for(lambda: httpx.get(f"{base}/health", timeout=3).status_code == 200, 120, "gateway")
    wait_for(
        lambda: _executed(database) != before, 120, f"trading after killing {', '.join(names)}"
    )
    return time.monotonic() - started


def _converge(database: str) -> None:
    """Wait until execution has finished every bar the strategy evaluated."""

    def caught_up() -> bool:
        rows = dict(
            query(database, "SELECT role, max(last_bar_ts) FROM trader_progress GROUP BY role")
        )
        return rows.get("execution") is not None and rows.get("execution") == rows.get("strategy")

    wait_for(caught_up, 60, "execution to catch up with the strategy")


def _check(database: str, outcome: Outcome) -> None:
    twice = query(
        database,
        "SELECT trader_id, created_at FROM orders GROUP BY trader_id, symbol, created_at"
        " HAVING count(*) > 1",
    )
    overfilled = query(
        database,
        "SELECT o.client_order_id FROM orders o JOIN fills f USING (client_order_id)"
        " GROUP BY o.client_order_id, o.quantity HAVING sum(f.quantity) > o.quantity",
    )
    time.sleep(1.0)  # the audit sink flushes every 0.5 s
    lost = query(
        database,
        "SELECT DISTINCT f.client_order_id FROM fills f WHERE NOT EXISTS"
        " (SELECT 1 FROM events e WHERE e.event_type = 'order.filled'"
        " AND e.payload::text LIKE '%' || f.client_order_id || '%')",
    )
    progress = dict(
        query(database, "SELECT role, max(last_bar_ts) FROM trader_progress GROUP BY role")
    )
    orders = int(query(database, "SELECT count(*) FROM orders")[0][0])
    fills = int(query(database, "SELECT count(*) FROM fills")[0][0])
    outcome.counts.update(
        {
            "orders": orders,
            "fills": fills,
            "orders placed twice": len(twice) + len(overfilled),
            "acknowledged events lost": len(lost),
            "execution==strategy progress": progress.get("execution") == progress.get("strategy"),
        }
    )
    outcome.expect(not twice and not overfilled, f"orders twice: {twice} {overfilled}")
    outcome.expect(not lost, f"fills without their order.filled event: {lost[:5]}")
    outcome.expect(progress.get("execution") == progress.get("strategy"), f"progress {progress}")
