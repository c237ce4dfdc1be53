"""What the notifier channels carry: a kind people opt into, a title, a text and details."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any


class NotificationKind(StrEnum):
    """The kinds a channel can opt into (``notify.events``, ``notify.<channel>_events``)."""

    TRADE_EXECUTED = "trade_executed"
    ORDER_REJECTED = "order_rejected"
    RISK_BREACH = "risk_breach"
    ALERT_RAISED = "alert_raised"
    DAILY_REPORT = "daily_report"


@dataclass(frozen=True, slots=True)
class Notification:
    kind: NotificationKind
    title: str
    text: str
    details: dict[str, Any] = field(default_factory=dict)
    trader_id: str | None = None
    ts: datetime = field(default_factory=lambda: datetime.now(UTC))
    channels: tuple[str, ...] | None = None
    """Only these channels (by name) deliver it; None: every channel that opted into its kind."""

    def as_text(self) -> str:
        """Render for chat and log channels: the title, then the body."""
        return f"{self.title}\n{self.text}" if self.text else self.title
