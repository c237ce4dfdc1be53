"""AlertEngine: evaluates the rules on a timer and on events; stores and publishes alerts.

Each (rule, subject) has at most one active alert: raised once when its
condition has held for the rule's ``for``, published as ``alert.raised``, and
resolved (``alert.resolved``) when the condition clears. Active alerts are
reloaded on start, so a restart neither repeats nor forgets them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime

from tradestack.alerts.conditions import (
    EventCondition,
    HeartbeatCondition,
    MetricCondition,
    Observation,
)
from tradestack.alerts.metrics import COUNTED, LiveMetrics, Probe
from tradestack.alerts.rules import AlertRule
from tradestack.alerts.tracker import Raise, RuleTracker
from tradestack.bus.codec import to_builtins
from tradestack.bus.port import EventBus
from tradestack.domain.alerts import Alert
from tradestack.domain.events import Event, EventType
from tradestack.lifecycle import Component
from tradestack.storage.database import Database
from tradestack.storage.repositories.alerts import insert_alert, list_alerts, resolve_alert

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]
HaltHook = Callable[[str, str], Awaitable[None]]
PROBED = ("database_up", "trader_faulted")


def utc_now() -> datetime:
    return datetime.now(UTC)


class AlertEngine(Component):
    name = "alert-engine"

    def __init__(
        self,
        *,
        rules: Sequence[AlertRule],
        db: Database,
        bus: EventBus,
        probes: dict[str, Probe] | None = None,
        evaluate_every_s: float = 5.0,
        probe_timeout_s: float = 2.0,
        clock: Clock = utc_now,
        on_halt: HaltHook | None = None,
    ) -> None:
        super().__init__()
        self.rules = list(rules)
        self.db = db
        self.bus = bus
        self.probes = probes or {}
        self.evaluate_every_s = evaluate_every_s
        self.probe_timeout_s = probe_timeout_s
        self.clock = clock
        self.on_halt = on_halt
        self.metrics = LiveMetrics(horizon_s=max([3600.0, *(r.window_s for r in self.rules)]))
        started = clock()
        self.conditions: dict[str, MetricCondition | EventCondition | HeartbeatCondition] = {
            rule.name: _condition(rule, started) for rule in self.rules
        }
        self.trackers = {rule.name: RuleTracker(for_s=rule.for_s) for rule in self.rules}
        self._lock = asyncio.Lock()

    def patterns(self) -> list[str]:
        """Event types the rules need: counted types, bars for gaps, and event conditions."""
        wanted: set[str] = set()
        metrics = {r.metric for r in self.rules if r.metric is not None}
        if metrics & {"signals_per_s", "fills_per_s", "order_rejection_rate"}:
            wanted.update(COUNTED)
        if "bar_gaps" in metrics:
            wanted.add(EventType.MARKET_BAR)
        for condition in self.conditions.values():
            wanted.update(getattr(condition, "patterns", ()))
        return sorted(wanted)

    async def _on_start(self) -> None:
        await self._restore()
        for pattern in self.patterns():
            self.bus.subscribe(pattern, self.on_event, group=f"{self.name}:{pattern}")
        self.spawn(self._evaluate_periodically(), "evaluate")

    async def _restore(self) -> None:
        async with self.db.read() as connection:
            active = await list_alerts(connection, active_only=True, limit=10_000)
        for alert in active:
            tracker = self.trackers.get(alert.type)
            if tracker is None:
                continue  # its rule was removed: it resolves nowhere, leave it for a person
            tracker.active[alert.subject] = alert.alert_id
            condition = self.conditions[alert.type]
            if isinstance(condition, EventCondition | HeartbeatCondition):
                condition.restore(alert.subject, alert.raised_at)

    async def on_event(self, event: Event) -> None:
        """Feed metrics and event conditions; evaluate at once the rules an event changed."""
        now = self.clock()
        self.metrics.on_event(event, now)
        changed = []
        for rule in self.rules:
            condition = self.conditions[rule.name]
            if not isinstance(condition, MetricCondition) and condition.on_event(event, now):
                changed.append(rule)
        if changed:
            await self.evaluate(now, rules=changed)

    async def _evaluate_periodically(self) -> None:
        while True:
            await asyncio.sleep(self.evaluate_every_s)
            try:
                await self.evaluate()
            except Exception:  # one bad evaluation must not stop alerting for good
                log.exception("alert evaluation failed")

    async def evaluate(
        self, now: datetime | None = None, *, rules: Sequence[AlertRule] | None = None
    ) -> list[Alert]:
        """Evaluate ``rules`` (all by default) at ``now``; return the alerts raised."""
        now = now or self.clock()
        rules = self.rules if rules is None else rules
        async with self._lock:
            probed = await self._probe(rules)
            if any(r.metric == "handler_error_rate" for r in rules):
                self.metrics.sample_bus(now, self.bus.health())
            raised: list[Alert] = []
            for rule in rules:
                holding = self._holding(rule, now, probed)
                for change in self.trackers[rule.name].update(holding, now):
                    if isinstance(change, Raise):
                        raised.append(await self._raise(rule, change.subject, change.observation))
                    else:
                        await self._resolve(rule, change.subject, change.alert_id, now)
            return raised

    def _holding(
        self, rule: AlertRule, now: datetime, probed: dict[str, dict[str, float]]
    ) -> dict[str, Observation]:
        condition = self.conditions[rule.name]
        if isinstance(condition, MetricCondition):
            assert rule.metric is not None
            if rule.metric in PROBED:
                values = probed.get(rule.metric, {})
            else:
                values = self.metrics.value(rule.metric, now, rule.window_s)
            return condition.observe(values)
        return condition.observe(now)

    async def _probe(self, rules: Sequence[AlertRule]) -> dict[str, dict[str, float]]:
        out: dict[str, dict[str, float]] = {}
        for metric in {r.metric for r in rules if r.metric in PROBED}:
            probe = self.probes.get(metric)
            if probe is None:
                continue
            try:
                out[metric] = await asyncio.wait_for(probe(), self.probe_timeout_s)
            except Exception as error:  # a probe that cannot answer reads as "down"
                log.warning("probe %s failed: %s", metric, error)
                out[metric] = {"": 0.0} if metric == "database_up" else {}
        return out

    async def _raise(self, rule: AlertRule, subject: str, observation: Observation) -> Alert:
        message = (
            rule.message.replace("{subject}", subject) if rule.message else observation.message
        )
        details = {**observation.details, "value": observation.value, "actions": rule.actions}
        now = self.clock()
        try:
            async with self.db.transaction() as connection:
                alert = await insert_alert(
                    connection,
                    type=rule.name,
                    severity=rule.severity,
                    subject=subject,
                    message=message,
                    details=to_builtins(details),  # type: ignore[arg-type]
                    raised_at=now,
                )
        except Exception as error:  # the database itself may be what is down
            log.error("could not store alert %s for %r: %s", rule.name, subject, error)
            alert = Alert(-1, rule.name, rule.severity, subject, message, now, details)
        self.trackers[rule.name].active[subject] = alert.alert_id
        log.warning("alert %s [%s] %s", rule.name, rule.severity.value, message)
        await self.bus.publish(
            Event.create(
                EventType.ALERT_RAISED,
                {
                    "alert_id": alert.alert_id,
                    "type": rule.name,
                    "severity": rule.severity.value,
                    "subject": subject,
                    "message": message,
                    "details": alert.details,
                    "notify": rule.notifies,
                    "notify_channels": (
                        None if rule.notify_channels is None else list(rule.notify_channels)
                    ),
                },
                source_service="alerts",
                trader_id=subject if rule.subject == "trader_id" and subject else None,
            )
        )
        if "halt_trader" in rule.actions and subject and self.on_halt is not None:
            await self._halt(subject, rule.name)
        return alert

    async def _halt(self, trader_id: str, rule_name: str) -> None:
        assert self.on_halt is not None
        try:
            await self.on_halt(trader_id, f"alert {rule_name}")
        except Exception as error:
            log.error("alert %s could not halt trader %s: %s", rule_name, trader_id, error)

    async def _resolve(self, rule: AlertRule, subject: str, alert_id: int, now: datetime) -> None:
        try:
            if alert_id >= 0:
                async with self.db.transaction() as connection:
                    await resolve_alert(connection, alert_id, now)
        except Exception as error:
            log.error("could not store the resolution of alert %s: %s", alert_id, error)
        await self.bus.publish(
            Event.create(
                EventType.ALERT_RESOLVED,
                {"alert_id": alert_id, "type": rule.name, "subject": subject},
                source_service="alerts",
            )
        )


def _condition(
    rule: AlertRule, started: datetime
) -> MetricCondition | EventCondition | HeartbeatCondition:
    if rule.condition == "metric":
        return MetricCondition(rule)
    if rule.condition == "event":
        return EventCondition(rule)
    return HeartbeatCondition(rule, started)
