"""Conditions: what each kind of rule observes, per subject, at one moment.

``observe`` returns the subjects for which the condition holds now, each with
the value and a message; the tracker turns that into raised and resolved
alerts. Event and heartbeat conditions also learn from the bus.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from tradestack.alerts.rules import AlertRule
from tradestack.domain.events import Event, EventType


@dataclass(frozen=True, slots=True)
class Observation:
    value: float | None
    message: str
    details: dict[str, Any] = field(default_factory=dict)


class MetricCondition:
    def __init__(self, rule: AlertRule) -> None:
        self.rule = rule

    def observe(self, values: dict[str, float]) -> dict[str, Observation]:
        rule = self.rule
        out = {}
        for subject, value in values.items():
            if rule.above is not None and value > rule.above:
                relation, threshold = "above", rule.above
            elif rule.below is not None and value < rule.below:
                relation, threshold = "below", rule.below
            else:
                continue
            where = f" for {subject}" if subject else ""
            out[subject] = Observation(
                value=value,
                message=f"{rule.metric}{where} is {value:.6g}, {relation} {threshold:g}",
                details={"metric": rule.metric, relation: threshold, "window_s": rule.window_s},
            )
        return out


class EventCondition:
    """Holds for a subject from a matching event until ``until`` arrives or ``clear_after``."""

    def __init__(self, rule: AlertRule) -> None:
        self.rule = rule
        self.last_seen: dict[str, tuple[datetime, Event | None]] = {}

    @property
    def patterns(self) -> tuple[str, ...]:
        assert self.rule.event is not None
        return (self.rule.event, self.rule.until) if self.rule.until else (self.rule.event,)

    def subject_of(self, event: Event) -> str:
        name = self.rule.subject
        if name in ("trader_id", "source_service", "event_type"):
            return str(getattr(event, name) or "")
        return str(event.payload.get(name, ""))

    def matches(self, event: Event) -> bool:
        assert self.rule.event is not None
        if not fnmatch.fnmatchcase(event.event_type, self.rule.event):
            return False
        return all(
            fnmatch.fnmatchcase(str(event.payload.get(key, "")), pattern)
            for key, pattern in self.rule.match.items()
        )

    def on_event(self, event: Event, now: datetime) -> bool:
        """Take one event; return True when it changed what the condition holds for."""
        if self.rule.until and fnmatch.fnmatchcase(event.event_type, self.rule.until):
            return self.last_seen.pop(self.subject_of(event), None) is not None
        if self.matches(event):
            self.last_seen[self.subject_of(event)] = (now, event)
            return True
        return False

    def restore(self, subject: str, raised_at: datetime) -> None:
        self.last_seen.setdefault(subject, (raised_at, None))

    def observe(self, now: datetime) -> dict[str, Observation]:
        clear_after = self.rule.clear_after_s
        out = {}
        for subject, (seen, event) in list(self.last_seen.items()):
            if clear_after is not None and (now - seen).total_seconds() >= clear_after:
                del self.last_seen[subject]
                continue
            reason = str(event.payload.get("reason", "")) if event is not None else ""
            where = f" for {subject}" if subject else ""
            out[subject] = Observation(
                value=None,
                message=f"{self.rule.event}{where}" + (f": {reason}" if reason else ""),
                details={"event": self.rule.event, "last_seen": seen.isoformat()},
            )
        return out


class HeartbeatCondition:
    """Holds for each service not heard from within ``heartbeat_missing``.

    Services named in ``services`` are expected from the engine's start even
    before their first heartbeat; others once they have sent one.
    """

    patterns = (EventType.SERVICE_HEARTBEAT,)

    def __init__(self, rule: AlertRule, started_at: datetime) -> None:
        self.rule = rule
        self.last_beat: dict[str, datetime] = dict.fromkeys(rule.services, started_at)

    def on_event(self, event: Event, now: datetime) -> bool:
        service = str(event.payload.get("service") or event.source_service)
        self.last_beat[service] = now
        return False

    def restore(self, subject: str, raised_at: datetime) -> None:
        assert self.rule.heartbeat_missing_s is not None
        missing = timedelta(seconds=self.rule.heartbeat_missing_s)
        self.last_beat.setdefault(subject, raised_at - missing)

    def observe(self, now: datetime) -> dict[str, Observation]:
        assert self.rule.heartbeat_missing_s is not None
        limit = self.rule.heartbeat_missing_s
        out = {}
        for service, beat in self.last_beat.items():
            silent = (now - beat).total_seconds()
            if silent > limit:
                out[service] = Observation(
                    value=silent,
                    message=f"no heartbeat from {service} for {silent:.0f} s",
                    details={"service": service, "last_heartbeat": beat.isoformat()},
                )
        return out
