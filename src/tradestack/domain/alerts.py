"""Alerts: a rule whose condition holds for a subject (a trader, a service, a series)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


@dataclass(frozen=True, slots=True)
class Alert:
    """One raised alert as stored; ``type`` is the name of the rule that raised it."""

    alert_id: int
    type: str
    severity: Severity
    subject: str
    message: str
    raised_at: datetime
    details: dict[str, Any] = field(default_factory=dict)
    acknowledged: bool = False
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None
    resolved_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.resolved_at is None
