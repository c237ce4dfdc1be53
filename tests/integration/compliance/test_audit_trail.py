"""The audit trail: append-only in the database itself, exported and read back unchanged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, update
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from tests.conftest import BACKENDS
from tests.integration.analytics.seed import seed_alice
from tests.integration.notify.events import trade_reject_and_breach
from tradestack.bus.audit_sink import AuditSink
from tradestack.bus.memory import InMemoryBus
from tradestack.cli.main import app
from tradestack.compliance.actions import record_manual_action
from tradestack.compliance.export import Format, export_audit, read_export
from tradestack.compliance.trail import audit_records
from tradestack.storage.database import Database
from tradestack.storage.tables import events


@pytest.mark.parametrize("database", BACKENDS, indirect=["database"])
async def test_events_cannot_be_changed_or_deleted(database: Database) -> None:
    event = await record_manual_action(database, actor="cli:ann", action="trader.stop", target="x")
    for statement in (
        update(events).where(events.c.event_id == event.event_id).values(trader_id="y"),
        delete(events).where(events.c.event_id == event.event_id),
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            async with database.transaction() as connection:
                await connection.execute(statement)
    async with database.read() as connection:
        assert len((await connection.execute(events.select())).all()) == 1


async def history(database: Database) -> None:
    """Orders, a risk decision and fills through the real bus and audit sink; manual actions."""
    bus = InMemoryBus()
    sink = AuditSink(db=database, bus=bus)
    await sink.start()
    await bus.start()
    await trade_reject_and_breach(bus)
    await bus.close()
    await sink.stop()
    await seed_alice(database)
    await record_manual_action(
        database,
        actor="api:10.0.0.7",
        action="trader.emergency_stop",
        target="alice",
        details={"flatten": True},
    )


@pytest.mark.parametrize("format", ["csv", "parquet"])
async def test_export_round_trips(database: Database, tmp_path: Path, format: Format) -> None:
    await history(database)
    records = await audit_records(database)
    assert {r.category for r in records} == {"order", "fill", "risk", "manual"}
    manual = next(r for r in records if r.category == "manual")
    assert (manual.actor, manual.subject, manual.summary) == (
        "api:10.0.0.7",
        "alice",
        "trader.emergency_stop",
    )
    risk = next(r for r in records if r.category == "risk")
    assert (risk.subject, risk.summary) == ("max_position_size", "position 2000 above 1000")
    path = tmp_path / f"audit.{format}"
    count = await export_audit(database, path, start=None, end=None, format=format)
    assert count == len(records) == 6  # filled, rejected, breach, 2 fills, 1 action
    assert read_export(path) == records


async def test_a_period_excludes_what_is_outside(database: Database, tmp_path: Path) -> None:
    await history(database)  # fills on 2026-01-05 and -06; events now
    path = tmp_path / "january.csv"
    start = datetime(2026, 1, 6, tzinfo=UTC)
    count = await export_audit(
        database, path, start=start, end=start + timedelta(days=1), format="csv"
    )
    (fill,) = read_export(path)
    assert count == 1 and fill.category == "fill" and fill.record_id == "alice-2-fill"


def test_cli_export(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRADESTACK_HOME", str(tmp_path))
    runner = CliRunner()
    added = runner.invoke(app, ["trader", "add", "carol", "--stopped"])
    assert added.exit_code == 0, added.output
    out = tmp_path / "trail.parquet"
    result = runner.invoke(
        app, ["audit", "export", "--from", "2020-01-01", "--format", "parquet", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "1 record(s) written" in result.output
    (record,) = read_export(out)
    assert (record.category, record.summary, record.subject) == ("manual", "trader.add", "carol")
    assert record.actor.startswith("cli:")
    bad = runner.invoke(app, ["audit", "export", "--format", "xml"])
    assert bad.exit_code != 0
