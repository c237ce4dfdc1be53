"""``tradestack alerts list|ack|check`` in process, on a real SQLite file."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tradestack.cli.main import app
from tradestack.domain.alerts import Severity
from tradestack.storage import migrations
from tradestack.storage.database import Database
from tradestack.storage.repositories.alerts import insert_alert


async def _seed(url: str) -> None:
    db = Database(url)
    try:
        await migrations.upgrade(db.engine)
        async with db.transaction() as connection:
            await insert_alert(
                connection,
                type="service_silent",
                severity=Severity.CRITICAL,
                subject="market-data",
                message="no heartbeat from market-data for 45 s",
                details={},
                raised_at=datetime(2026, 1, 1, tzinfo=UTC),
            )
    finally:
        await db.dispose()


def test_list_ack_and_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRADESTACK_HOME", str(tmp_path))
    monkeypatch.setenv("COLUMNS", "200")
    asyncio.run(_seed(f"sqlite+aiosqlite:///{tmp_path / 'tradestack.db'}"))
    runner = CliRunner()
    listed = runner.invoke(app, ["alerts", "list", "--active"])
    assert listed.exit_code == 0, listed.output
    assert "service_silent" in listed.output and "market-data" in listed.output
    acked = runner.invoke(app, ["alerts", "ack", "1"])
    assert acked.exit_code == 0 and "acknowledged by cli:" in acked.output
    assert "service_silent" not in runner.invoke(app, ["alerts", "list", "--unacknowledged"]).output
    rules = tmp_path / "alerts.yaml"
    rules.write_text("rules:\n  - name: quiet\n    heartbeat_missing: 30s\n")
    checked = runner.invoke(app, ["alerts", "check", str(rules)])
    assert checked.exit_code == 0 and "1 rule(s) valid" in checked.output
