"""The alert state machine of one rule: pending for ``for``, then active, then resolved.

Pure and clock-free: give it what holds now and it says which alerts to raise
and which to resolve, so that an alert is raised once while its condition
holds (de-duplication) and resolved when it clears.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from tradestack.alerts.conditions import Observation


@dataclass(frozen=True, slots=True)
class Raise:
    subject: str
    observation: Observation


@dataclass(frozen=True, slots=True)
class Resolve:
    subject: str
    alert_id: int


@dataclass(slots=True)
class RuleTracker:
    for_s: float
    pending_since: dict[str, datetime] = field(default_factory=dict)
    active: dict[str, int] = field(default_factory=dict)
    """Subject -> id of the stored alert that is raised for it."""

    def update(self, holding: dict[str, Observation], now: datetime) -> list[Raise | Resolve]:
        changes: list[Raise | Resolve] = []
        for subject in list(self.active):
            if subject not in holding:
                changes.append(Resolve(subject, self.active.pop(subject)))
        for subject in list(self.pending_since):
            if subject not in holding:
                del self.pending_since[subject]
        for subject, observation in holding.items():
            if subject in self.active:
                continue
            since = self.pending_since.setdefault(subject, now)
            if (now - since).total_seconds() >= self.for_s:
                del self.pending_since[subject]
                changes.append(Raise(subject, observation))
        return changes
