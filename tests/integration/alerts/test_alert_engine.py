"""Rules fire, de-duplicate and resolve, driven by real events on the in-memory bus."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.unit.factories import bar
from tradestack.alerts.engine import AlertEngine
from tradestack.alerts.rules import parse_rules
from tradestack.bus.memory import InMemoryBus
from tradestack.domain.enums import SignalSide
from tradestack.domain.events import Event, EventType
from tradestack.domain.signals import Signal
from tradestack.marketdata.replay import bar_event
from tradestack.storage.database import Database
from tradestack.storage.repositories.alerts import list_alerts
from tradestack.traders.context import TraderStep
from tradestack.traders.journal import publish_step

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


class Harness:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.bus = InMemoryBus()
        self.clock = Clock()
        self.published: list[Event] = []
        self.halted: list[tuple[str, str]] = []
        self.engine: AlertEngine | None = None

    async def start(self, rules: list[dict[str, Any]], **kw: Any) -> AlertEngine:
        async def collect(event: Event) -> None:
            self.published.append(event)

        async def halt(trader_id: str, reason: str) -> None:
            self.halted.append((trader_id, reason))

        self.engine = AlertEngine(
            rules=parse_rules({"rules": rules}),
            db=self.db,
            bus=self.bus,
            evaluate_every_s=3600,  # the test evaluates by hand
            clock=self.clock,
            on_halt=halt,
            **kw,
        )
        self.bus.subscribe("alert.*", collect, group="test-alerts")
        await self.engine.start()
        await self.bus.start()
        return self.engine

    async def settle(self) -> None:
        """Let every queued event be handled, including alerts those handlers publish."""
        for _ in range(2):
            await self.bus.close()
            await self.bus.start()

    async def alerts(self, **kw: Any) -> list[Any]:
        async with self.db.read() as connection:
            return await list_alerts(connection, **kw)

    def types(self, event_type: str) -> list[dict[str, Any]]:
        return [e.payload for e in self.published if e.event_type == event_type]

    async def stop(self) -> None:
        assert self.engine is not None
        await self.engine.stop()
        await self.bus.close()


@pytest.fixture
async def harness(database: Database) -> AsyncIterator[Harness]:
    h = Harness(database)
    yield h
    await h.stop()


async def halt_trader(bus: InMemoryBus, trader_id: str, reason: str) -> None:
    """Publish exactly what a trader publishes when its risk engine halts it."""
    await publish_step(bus, TraderStep(bar=None, halted=reason), trader_id=trader_id)


DAILY_LOSS = {
    "name": "daily_loss_limit",
    "event": "risk.breach",
    "match": {"rule": "halted", "reason": "daily loss*"},
    "clear_after": "1h",
    "severity": "critical",
    "actions": ["notify", "halt_trader"],
}


async def test_daily_loss_fires_once_per_trader_and_resolves_after_quiet(harness: Harness) -> None:
    await harness.start([DAILY_LOSS])
    for _ in range(3):
        await halt_trader(harness.bus, "alice", "daily loss 250.00 reached the limit of 200")
    await halt_trader(harness.bus, "bob", "max drawdown 30% reached")  # another rule's business
    await harness.settle()

    (alert,) = await harness.alerts()
    assert (alert.type, alert.subject, alert.severity.value) == (
        "daily_loss_limit",
        "alice",
        "critical",
    )
    assert "daily loss 250.00" in alert.message and alert.active and not alert.acknowledged
    raised = harness.types(EventType.ALERT_RAISED)
    assert [p["subject"] for p in raised] == ["alice"]
    assert raised[0]["alert_id"] == alert.alert_id and raised[0]["notify"] is True
    assert harness.halted == [("alice", "alert daily_loss_limit")]

    await halt_trader(harness.bus, "alice", "daily loss 260.00 reached the limit of 200")
    await harness.settle()
    harness.clock.advance(3000)
    assert await harness.engine.evaluate() == []  # type: ignore[union-attr]
    assert len(await harness.alerts(active_only=True)) == 1
    harness.clock.advance(700)  # an hour after the last breach
    await harness.engine.evaluate()  # type: ignore[union-attr]
    await harness.settle()
    (resolved,) = await harness.alerts()
    assert resolved.resolved_at == harness.clock.now
    assert [p["alert_id"] for p in harness.types(EventType.ALERT_RESOLVED)] == [alert.alert_id]


async def test_venue_disconnected_for_five_minutes_until_it_reconnects(harness: Harness) -> None:
    rule = {
        "name": "venue_down",
        "event": "venue.disconnected",
        "until": "venue.connected",
        "subject": "venue",
        "for": "5m",
    }
    engine = await harness.start([rule])
    await harness.bus.publish(Event.create(EventType.VENUE_DISCONNECTED, {"venue": "binance"}))
    await harness.settle()
    harness.clock.advance(240)
    assert await engine.evaluate() == []
    harness.clock.advance(60)
    (alert,) = await engine.evaluate()
    assert alert.subject == "binance"
    await harness.bus.publish(Event.create(EventType.VENUE_CONNECTED, {"venue": "binance"}))
    await harness.settle()
    (stored,) = await harness.alerts()
    assert stored.resolved_at is not None


async def test_missing_heartbeats(harness: Harness) -> None:
    rule = {"name": "silent", "heartbeat_missing": "30s", "services": ["market-data"]}
    engine = await harness.start([rule])
    beat = Event.create(EventType.SERVICE_HEARTBEAT, {"service": "strategy"})
    await harness.bus.publish(beat)
    await harness.settle()
    harness.clock.advance(20)
    assert await engine.evaluate() == []
    harness.clock.advance(11)
    raised = await engine.evaluate()
    assert sorted(a.subject for a in raised) == ["market-data", "strategy"]
    await harness.bus.publish(
        Event.create(EventType.SERVICE_HEARTBEAT, {}, source_service="market-data")
    )
    await harness.settle()
    await engine.evaluate()
    active = await harness.alerts(active_only=True)
    assert [a.subject for a in active] == ["strategy"]


def signal(i: int) -> Signal:
    return Signal("BTC/USDT", SignalSide.BUY, 1.0, "sma_cross", "alice", T0, 100.0 + i)


async def test_signals_per_second_floor_with_duration(harness: Harness) -> None:
    rule = {"name": "quiet", "metric": "signals_per_s", "below": 0.5, "window": "10s", "for": "10s"}
    engine = await harness.start([rule])
    step = TraderStep(bar=None, signals=[signal(i) for i in range(10)])
    await publish_step(harness.bus, step, trader_id="alice")
    await harness.settle()
    assert await engine.evaluate() == []  # 10 signals in 10 s: 1 per second
    harness.clock.advance(11)
    assert await engine.evaluate() == []  # below the floor, but not for 10 s yet
    harness.clock.advance(10)
    (alert,) = await engine.evaluate()
    assert alert.details["value"] == 0.0 and "below 0.5" in alert.message
    harness.clock.advance(1)
    assert await engine.evaluate() == []  # still holding: no second alert
    await publish_step(harness.bus, step, trader_id="alice")
    await harness.settle()
    await engine.evaluate()
    assert (await harness.alerts())[0].resolved_at == harness.clock.now


async def test_order_rejection_rate_and_bar_gaps(harness: Harness) -> None:
    rules = [
        {"name": "rejections", "metric": "order_rejection_rate", "above": 0.01},
        {"name": "gaps", "metric": "bar_gaps", "above": 0, "window": "10m"},
    ]
    engine = await harness.start(rules)
    for _ in range(98):
        await harness.bus.publish(Event.create(EventType.ORDER_SUBMITTED, {}))
    for _ in range(2):
        await harness.bus.publish(Event.create(EventType.ORDER_REJECTED, {}))
    for i in (0, 1, 4):
        await harness.bus.publish(bar_event(bar(i, 100.0)))
    await harness.settle()
    raised = {a.type: a for a in await engine.evaluate()}
    assert raised["rejections"].details["value"] == pytest.approx(0.02)
    assert raised["gaps"].subject == "BTC/USDT 1m" and raised["gaps"].details["value"] == 2.0
    harness.clock.advance(601)
    await engine.evaluate()
    assert await harness.alerts(active_only=True) == []


async def test_database_unreachable(harness: Harness) -> None:
    unreachable = Database("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    target = {"db": unreachable}

    async def database_up() -> dict[str, float]:
        await target["db"].check()
        return {"": 1.0}

    rule = {"name": "database_down", "metric": "database_up", "below": 1, "severity": "critical"}
    engine = await harness.start([rule], probes={"database_up": database_up})
    try:
        (alert,) = await engine.evaluate()
        assert alert.message == "database_up is 0, below 1"
        target["db"] = harness.db
        assert await engine.evaluate() == []
        assert await harness.alerts(active_only=True) == []
    finally:
        await unreachable.dispose()


async def test_a_restart_keeps_active_alerts_without_raising_them_again(
    harness: Harness,
) -> None:
    engine = await harness.start([DAILY_LOSS])
    await halt_trader(harness.bus, "alice", "daily loss 250 reached the limit of 200")
    await harness.settle()
    await harness.stop()

    again = Harness(harness.db)
    again.clock.now = harness.clock.now + timedelta(minutes=10)
    restarted = await again.start([DAILY_LOSS])
    try:
        assert restarted.trackers["daily_loss_limit"].active == {
            "alice": engine.trackers["daily_loss_limit"].active["alice"]
        }
        await halt_trader(again.bus, "alice", "daily loss 251 reached the limit of 200")
        await again.settle()
        assert again.types(EventType.ALERT_RAISED) == []
        assert len(await again.alerts()) == 1
    finally:
        await again.stop()
