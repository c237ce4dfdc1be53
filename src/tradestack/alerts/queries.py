"""Read-side alerts: the ``alert.raised`` events the audit sink stored, newest first."""

from __future__ import annotations

from tradestack.domain.events import Event, EventType
from tradestack.storage.database import Database
from tradestack.storage.repositories.journal import list_events


async def find_alerts(db: Database, *, limit: int = 100, offset: int = 0) -> list[Event]:
    async with db.read() as connection:
        return await list_events(
            connection, event_type=EventType.ALERT_RAISED, limit=limit, offset=offset
        )
