"""Read and acknowledge stored alerts: what the API and the CLI call."""

from __future__ import annotations

from datetime import UTC, datetime

from tradestack.compliance.actions import record_manual_action
from tradestack.domain.alerts import Alert
from tradestack.errors import NotFoundError
from tradestack.storage.database import Database
from tradestack.storage.repositories import alerts as repository


async def find_alerts(
    db: Database,
    *,
    active_only: bool = False,
    unacknowledged_only: bool = False,
    limit: int = 100,
) -> list[Alert]:
    async with db.read() as connection:
        return await repository.list_alerts(
            connection,
            active_only=active_only,
            unacknowledged_only=unacknowledged_only,
            limit=limit,
        )


async def acknowledge(db: Database, alert_id: int, *, actor: str, source: str) -> Alert:
    """Acknowledge an alert and put the acknowledgement on the audit trail.

    Raises
    ------
    NotFoundError
        No alert has that id.
    """
    async with db.transaction() as connection:
        if not await repository.acknowledge_alert(
            connection, alert_id, by=actor, at=datetime.now(UTC)
        ):
            raise NotFoundError(f"no alert with id {alert_id}")
        alert = await repository.get_alert(connection, alert_id)
    assert alert is not None
    await record_manual_action(
        db, actor=actor, action="alert.acknowledge", target=str(alert_id), source=source
    )
    return alert
