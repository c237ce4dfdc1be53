"""A move killed with SIGKILL leaves an incomplete-looking target, and a second run completes it."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import time
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from tests.conftest import _create_postgres_database, _drop_postgres_database, require_service
from tests.e2e.conftest import TRADESTACK, cli_env, run_cli
from tests.integration.migrate.conftest import state_of
from tests.integration.migrate.sample_data import bar_rows, order_rows
from tradestack.storage import migrations
from tradestack.storage.database import Database
from tradestack.storage.tables import bars, orders

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PROGRESS = "SELECT COALESCE(SUM(rows_copied), 0) FROM _tradestack_move WHERE item <> '*'"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)])
async def target_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'target.db'}"
        return
    require_service("PostgreSQL", "127.0.0.1", 5432)
    url = await _create_postgres_database()
    try:
        yield url
    finally:
        await _drop_postgres_database(url)


async def _source(path: Path) -> str:
    url = f"sqlite+aiosqlite:///{path}"
    db = Database(url)
    try:
        await migrations.upgrade(db.engine)
        async with db.transaction() as connection:
            await connection.execute(bars.insert(), bar_rows(12_000))
            await connection.execute(orders.insert(), order_rows(1_000))
    finally:
        await db.dispose()
    return url


async def _copied(target: str) -> int:
    try:
        if target.startswith("sqlite"):
            with sqlite3.connect(target.split("///", 1)[1], timeout=0.2) as connection:
                return int(connection.execute(PROGRESS).fetchone()[0])
        connection = await asyncpg.connect(target.replace("+asyncpg", ""))
        try:
            return int(await connection.fetchval(PROGRESS))
        finally:
            await connection.close()
    except (sqlite3.Error, asyncpg.PostgresError):
        return 0  # the marker is not there yet


async def test_killed_move_is_detected_and_completed_by_the_next_run(
    tmp_path: Path, target_url: str
) -> None:
    env = cli_env(tmp_path / "home", TRADESTACK_DATABASE_URL=await _source(tmp_path / "src.db"))
    move = ["db", "move", "--to", target_url]
    process = await asyncio.create_subprocess_exec(
        *TRADESTACK,
        *move,
        "--batch-size",
        "50",
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while await _copied(target_url) < 500:
        assert process.returncode is None, "the move ended before it could be killed"
        assert time.monotonic() < deadline, "the move made no progress"
        await asyncio.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    await asyncio.wait_for(process.wait(), timeout=10)
    killed_at = await _copied(target_url)
    assert 0 < killed_at < 13_000

    target_env = cli_env(tmp_path / "home", TRADESTACK_DATABASE_URL=target_url)
    current = run_cli("db", "current", env=target_env, cwd=tmp_path)
    assert "revision none" in current.stdout and "INCOMPLETE" in current.stdout

    again = run_cli(*move, env=env, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "resumed: copied" in again.stdout and "complete, verified copy" in again.stdout
    resumed_rows = int(
        again.stdout.split("resumed: copied ", 1)[1].split(" rows", 1)[0].replace(",", "")
    )
    assert resumed_rows <= 13_000 - killed_at
    assert await state_of(target_url) == await state_of(env["TRADESTACK_DATABASE_URL"])
    assert "up to date" in run_cli("db", "current", env=target_env, cwd=tmp_path).stdout
