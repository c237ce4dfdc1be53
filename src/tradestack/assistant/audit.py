"""The assistant's audit trail: every LLM call, tool call and confirmation, in the events table.

Written straight to the append-only ``events`` table (like manual actions), so
the record exists in every shape and even without a running platform.
Payloads are redacted before they are written.
"""

from __future__ import annotations

from typing import Any

from tradestack.assistant.redact import Redactor
from tradestack.bus.codec import to_builtins
from tradestack.domain.events import Event
from tradestack.storage.database import Database
from tradestack.storage.repositories.journal import insert_events

ASKED = "assistant.asked"
LLM_CALL = "assistant.llm_call"
TOOL_CALL = "assistant.tool_call"
PROPOSED = "assistant.proposed"
CONFIRMATION = "assistant.confirmation"
ANSWERED = "assistant.answered"


class AssistantAudit:
    def __init__(self, db: Database, redactor: Redactor) -> None:
        self.db = db
        self.redactor = redactor

    async def record(
        self,
        event_type: str,
        payload: dict[str, Any],
        *,
        trace_id: str,
        trader_id: str | None = None,
    ) -> Event:
        event = Event.create(
            event_type,
            self.redactor.data(to_builtins(payload)),
            source_service="assistant",
            trader_id=trader_id,
            trace_id=trace_id,
        )
        async with self.db.transaction() as connection:
            await insert_events(connection, [event])
        return event
