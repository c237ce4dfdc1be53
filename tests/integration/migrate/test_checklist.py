"""migrate check: pass on a healthy database, fail on lost rows, new gaps, a stale schema."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from sqlalchemy import text

from tests.conftest import BACKENDS
from tests.integration.migrate.sample_data import bar_rows
from tradestack.config.loader import load_settings
from tradestack.migrate.backup import create_backup
from tradestack.migrate.checklist import FAIL, PASS, SKIP, run_checks
from tradestack.storage import migrations
from tradestack.storage.database import Database
from tradestack.storage.tables import bars

backends = pytest.mark.parametrize("empty_database_url", BACKENDS, indirect=True)


class _Health(BaseHTTPRequestHandler):
    """A gateway's health and health graph; ``graph`` sets what the services report."""

    graph: ClassVar[dict[str, object]] = {
        "nodes": [{"service": "exec-risk", "status": "healthy"}],
        "edges": [],
    }

    def do_GET(self) -> None:
        if self.path == "/api/v1/system/health-graph":
            body = json.dumps(self.graph).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)
            return
        self.send_response(200 if self.path == "/api/v1/health" else 404)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def api_port() -> Iterator[int]:
    server = HTTPServer(("127.0.0.1", 0), _Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()


def _results(checks: list) -> dict[str, str]:  # type: ignore[type-arg]
    return {check.name: check.status for check in checks}


@backends
async def test_healthy_database_passes_and_damage_fails(
    filled_url: str, home: Path, api_port: int
) -> None:
    settings = load_settings(database_url=filled_url, home=home, api_port=api_port)
    before = _results(await run_checks(settings))
    assert before["row counts vs last backup"] == SKIP
    await create_backup(filled_url, home)

    healthy = _results(await run_checks(settings))
    assert {healthy[name] for name in healthy if name != "WebSocket answers"} == {PASS}
    _Health.graph = {"nodes": [{"service": "exec-risk", "status": "unhealthy"}], "edges": []}
    try:
        assert _results(await run_checks(settings))["services healthy"] == FAIL
    finally:
        _Health.graph = {"nodes": [{"service": "exec-risk", "status": "healthy"}], "edges": []}

    db = Database(filled_url)
    try:
        async with db.transaction() as connection:
            await connection.execute(text("DELETE FROM fills WHERE trade_id = 'trade-3'"))
            await connection.execute(
                bars.insert(), [dict(bar_rows(1)[0], ts=datetime(2027, 1, 1, tzinfo=UTC))]
            )
        await migrations.downgrade(db.engine, "-1")
    finally:
        await db.dispose()
    damaged = _results(await run_checks(settings, check_api=False))
    assert damaged["row counts vs last backup"] == FAIL
    assert damaged["no new gaps in bars"] == FAIL
    assert damaged["schema at head"] == FAIL
    assert damaged["API answers"] == SKIP


@backends
async def test_unreachable_api_fails(filled_url: str, home: Path) -> None:
    settings = load_settings(database_url=filled_url, home=home, api_port=1)
    assert _results(await run_checks(settings))["API answers"] == FAIL
