"""Manual actions (who did what, when, from where) written to the append-only audit trail.

They go straight into the ``events`` table, not through the bus, so that the
record exists even when no platform runs (the CLI) and before anything acts.
"""

from __future__ import annotations

import getpass
from typing import Any

from tradestack.bus.codec import to_builtins
from tradestack.domain.events import Event, EventType
from tradestack.storage.database import Database
from tradestack.storage.repositories.journal import insert_events


async def record_manual_action(
    db: Database,
    *,
    actor: str,
    action: str,
    target: str | None = None,
    details: dict[str, Any] | None = None,
    source: str = "api",
) -> Event:
    """Append one manual action; ``actor`` names the person or channel (``cli:alice``)."""
    event = Event.create(
        EventType.MANUAL_ACTION,
        {
            "actor": actor,
            "action": action,
            "target": target,
            "details": to_builtins(details or {}),
        },
        source_service=source,
        trader_id=target if action.startswith("trader.") else None,
    )
    async with db.transaction() as connection:
        await insert_events(connection, [event])
    return event


def cli_actor() -> str:
    """The operating-system user running a command, as ``cli:<user>``."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"
