"""The services shape for real: PostgreSQL + Redis or NATS, five processes, a kill, a restart.

A trader places paper orders from a synthetic live feed; the exec-risk process
is killed with SIGKILL; the supervisor restarts it, it resumes from its stored
progress, and nothing is lost or done twice while the API keeps answering.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import time
import uuid
from pathlib import Path

import httpx
import pytest

from tests.conftest import _create_postgres_database, _drop_postgres_database, require_service
from tests.e2e.conftest import TRADESTACK, cli_env, free_port

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.services]

BUSES = {
    "redis": ("Redis", 6379, "redis://127.0.0.1:6379/0"),
    "nats": ("NATS", 4222, "nats://127.0.0.1:4222"),
}


def services_file(home: Path) -> dict[str, dict[str, object]]:
    try:
        data = json.loads((home / "services.json").read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return {}
    return {s["name"]: s for s in data["services"]}


def wait(predicate, timeout_s: float, what: str):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            value = predicate()
        except httpx.HTTPError:
            value = None
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def query(url: str, sql: str) -> list[tuple]:  # type: ignore[type-arg]
    import asyncpg

    async def run() -> list[tuple]:  # type: ignore[type-arg]
        connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            return [tuple(r) for r in await connection.fetch(sql)]
        finally:
            await connection.close()

    return asyncio.run(run())


@pytest.mark.parametrize("bus", sorted(BUSES))
def test_services_survive_a_killed_exec_risk(bus: str, home: Path, tmp_path: Path) -> None:
    name, port, bus_url = BUSES[bus]
    require_service("PostgreSQL", "127.0.0.1", 5432)
    require_service(name, "127.0.0.1", port)
    database = asyncio.run(_create_postgres_database())
    api_port = free_port()
    env = cli_env(
        home,
        TRADESTACK_DATABASE_URL=database,
        TRADESTACK_EVENT_BUS=bus,
        TRADESTACK_BUS_URL=bus_url,
        TRADESTACK_BUS__NAMESPACE=f"e2e{uuid.uuid4().hex[:8]}",
        TRADESTACK_BUS__CLAIM_IDLE_S="1",
        TRADESTACK_API_PORT=str(api_port),
        TRADESTACK_SERVICES__MARKET_DATA_PORT=str(free_port()),
        TRADESTACK_SERVICES__STRATEGY_PORT=str(free_port()),
        TRADESTACK_SERVICES__EXEC_RISK_PORT=str(free_port()),
        TRADESTACK_SERVICES__ANALYTICS_PORT=str(free_port()),
        TRADESTACK_SERVICES__HEARTBEAT_INTERVAL_S="0.5",
        TRADESTACK_RUN__REPLAY_INTERVAL_S="0.1",
        TRADESTACK_RUN__HISTORY_BARS="200",
        TRADESTACK_RUN__STRATEGY_PARAMS='{"fast": 3, "slow": 8}',
    )
    log = (tmp_path / "supervisor.log").open("wb")
    supervisor = subprocess.Popen(
        [*TRADESTACK, "up", "--services"],
        env=env,
        cwd=home.parent,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{api_port}/api/v1"
    try:
        wait(lambda: httpx.get(f"{base}/health").status_code == 200, 90, "gateway health")

        def filled() -> int:
            items = httpx.get(f"{base}/orders", params={"status": "FILLED", "limit": 1000}).json()
            return len(items["items"])

        before = wait(filled, 90, "a filled order")
        for path in (f"{base}/system/status", f"http://127.0.0.1:{api_port}/api/status"):
            status = httpx.get(path, timeout=10)
            assert status.status_code == 200, status.text
            states = status.json()["services"]
            assert set(states) == {"market-data", "strategy", "exec-risk", "analytics", "gateway"}
            assert all(isinstance(state, str) for state in states.values())
        victim = int(services_file(home)["exec-risk"]["pid"])  # type: ignore[arg-type]
        os.kill(victim, signal.SIGKILL)
        answered = 0
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            assert httpx.get(f"{base}/health", timeout=5).status_code == 200
            answered += 1
            state = services_file(home).get("exec-risk", {})
            if state.get("pid") not in (None, victim) and state.get("state") == "running":
                break
            time.sleep(0.2)
        else:
            raise AssertionError("exec-risk was not restarted")
        wait(lambda: filled() > before, 90, "fills after the restart")
    finally:
        os.killpg(supervisor.pid, signal.SIGINT)
        code = supervisor.wait(timeout=60)
        log.close()
    output = (tmp_path / "supervisor.log").read_text(errors="replace")
    assert code == 0, output
    assert answered > 0
    assert services_file(home)["exec-risk"]["restarts"] >= 1  # type: ignore[operator]

    progress = dict(
        query(database, "SELECT role, max(last_bar_ts) FROM trader_progress GROUP BY role")
    )
    assert progress["execution"] == progress["strategy"], "exec-risk finished every evaluated bar"
    duplicated = query(
        database,
        """
        SELECT o.client_order_id FROM orders o JOIN fills f USING (client_order_id)
        GROUP BY o.client_order_id, o.quantity HAVING sum(f.quantity) <> o.quantity""",
    )
    assert duplicated == [], "each filled order was filled exactly once"
    per_bar = query(
        database,
        """
        SELECT trader_id, created_at, count(*) FROM orders
        GROUP BY trader_id, created_at HAVING count(*) > 1""",
    )
    assert per_bar == [], "no bar produced a second order after the restart"
    asyncio.run(_drop_postgres_database(database))
