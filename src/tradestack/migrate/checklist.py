"""``migrate check``: the post-migration checklist as one command, each line pass, fail or skip.

Checks what this release can check: the schema is at the newest revision, no
move into this database stopped half way, no table has fewer rows than in the
last backup of this database, no bar series gained gaps since that backup, the
API answers, a sample query stays within its latency budget, the WebSocket
stream delivers a bar to a subscriber, and every service in the health graph
is healthy.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tradestack.config.settings import Settings
from tradestack.errors import TradestackError
from tradestack.migrate.manifest import BackupStore, TableEntry
from tradestack.migrate.snapshot import BOOKKEEPING_TABLES, missing_bars, read_state
from tradestack.storage import migrations
from tradestack.storage.database import Database
from tradestack.storage.engine import describe_url
from tradestack.storage.move_state import incomplete_move
from tradestack.storage.repositories.bars import recent_bars, stored_series

PASS, FAIL, SKIP = "pass", "fail", "skip"


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    status: str
    detail: str


async def run_checks(
    settings: Settings, *, check_api: bool = True, latency_budget_ms: float = 250.0
) -> list[Check]:
    """Run every check against the configured database and API; never raises for a failed check."""
    db = Database(settings.database_url)
    try:
        await db.check()
    except TradestackError as error:
        await db.dispose()
        return [Check("database reachable", FAIL, str(error))]
    try:
        checks = [Check("database reachable", PASS, describe_url(settings.database_url))]
        checks += await _database_checks(db, settings.home, latency_budget_ms)
    finally:
        await db.dispose()
    checks.append(
        await _api_check(settings) if check_api else Check("API answers", SKIP, "--no-api")
    )
    checks.append(
        await _stream_check(settings) if check_api else Check("WebSocket answers", SKIP, "--no-api")
    )
    checks.append(
        await _services_check(settings)
        if check_api
        else Check("services healthy", SKIP, "--no-api")
    )
    return checks


async def _database_checks(db: Database, home: Path, budget_ms: float) -> list[Check]:
    async with db.read() as connection:
        revision = await migrations.revision_of(connection)
        move = await incomplete_move(connection)
        state = await read_state(connection, digests=False)
        gaps = await missing_bars(connection)
    head = migrations.head()
    checks = [
        Check(
            "schema at head",
            PASS if revision == head else FAIL,
            f"revision {revision or 'none'}, newest {head}",
        ),
        Check("no unfinished move", FAIL if move else PASS, move or "none"),
    ]
    backup = BackupStore(home).latest(source_url=describe_url(db.url))
    if backup is None:
        checks.append(Check("row counts vs last backup", SKIP, "no backup of this database yet"))
        checks.append(Check("no new gaps in bars", SKIP, "no backup of this database yet"))
    else:
        checks.append(_counts_check(backup.backup_id, backup.tables, state.tables))
        checks.append(_gaps_check(backup.backup_id, backup.missing_bars, gaps))
    if revision != migrations.head():
        checks.append(Check("sample query latency", SKIP, "schema is not at head"))
    else:
        checks.append(await _latency_check(db, budget_ms))
    return checks


def _counts_check(
    backup_id: str, before: dict[str, TableEntry], now: dict[str, TableEntry]
) -> Check:
    lost = [
        f"{name} {entry.rows} -> {now[name].rows if name in now else 'missing'}"
        for name, entry in before.items()
        if name not in BOOKKEEPING_TABLES and (name not in now or now[name].rows < entry.rows)
    ]
    if lost:
        detail = f"fewer rows than {backup_id}: {'; '.join(lost)}"
        return Check("row counts vs last backup", FAIL, detail)
    grown = sum(
        now[name].rows - entry.rows
        for name, entry in before.items()
        if name in now and name not in BOOKKEEPING_TABLES
    )
    return Check(
        "row counts vs last backup", PASS, f"no table lost rows since {backup_id} (+{grown})"
    )


def _gaps_check(backup_id: str, before: dict[str, int], now: dict[str, int]) -> Check:
    worse = [
        f"{series}: {before.get(series, 0)} -> {missing} missing"
        for series, missing in now.items()
        if missing > before.get(series, 0)
    ]
    if worse:
        return Check("no new gaps in bars", FAIL, "; ".join(worse[:5]))
    return Check("no new gaps in bars", PASS, f"{len(now)} series, none worse than at {backup_id}")


async def _latency_check(db: Database, budget_ms: float) -> Check:
    async with db.read() as connection:
        series = await stored_series(connection)
        if not series:
            return Check("sample query latency", SKIP, "no bars stored")
        symbol, timeframe = max(series, key=lambda s: s[2])[:2]
        started = time.perf_counter()
        await recent_bars(connection, symbol, timeframe, limit=500)
        elapsed_ms = (time.perf_counter() - started) * 1000
    status = PASS if elapsed_ms <= budget_ms else FAIL
    return Check(
        "sample query latency",
        status,
        f"newest 500 bars of {symbol} {timeframe} in {elapsed_ms:.1f} ms (budget {budget_ms:g} ms)",
    )


async def _api_check(settings: Settings) -> Check:
    url = f"http://{settings.api_host}:{settings.api_port}/api/v1/health"
    try:
        status = await asyncio.to_thread(_get_status, url)
    except (OSError, ValueError) as error:
        return Check("API answers", FAIL, f"{url}: {getattr(error, 'reason', error)}")
    return Check("API answers", PASS if status == 200 else FAIL, f"{url}: HTTP {status}")


async def _stream_check(settings: Settings) -> Check:
    from tradestack.migrate.stream_probe import probe_stream  # websockets only when checking

    token = settings.api_token.get_secret_value() if settings.api_token else None
    probe = await probe_stream(settings.api_host, settings.api_port, token=token)
    return Check("WebSocket answers", PASS if probe.ok else FAIL, probe.detail)


async def _services_check(settings: Settings) -> Check:
    """Every service in the health graph (heartbeats seen by analytics) is healthy."""
    url = f"http://{settings.api_host}:{settings.api_port}/api/v1/system/health-graph"
    try:
        graph = await asyncio.to_thread(_get_json, url)
    except (OSError, ValueError) as error:
        return Check("services healthy", FAIL, f"{url}: {getattr(error, 'reason', error)}")
    nodes = graph.get("nodes") or []
    if not nodes:
        return Check("services healthy", FAIL, f"{url}: no services in the health graph")
    sick = [f"{n['service']} {n['status']}" for n in nodes if n.get("status") != "healthy"]
    if sick:
        return Check("services healthy", FAIL, "; ".join(sick))
    return Check("services healthy", PASS, ", ".join(n["service"] for n in nodes))


def _get_json(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=3.0) as response:
        data = json.loads(response.read())
    if not isinstance(data, dict):
        raise ValueError("the health graph is not a JSON object")
    return data


def _get_status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=3.0) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
