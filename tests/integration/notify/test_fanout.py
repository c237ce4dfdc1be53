"""The fan-out: per-event opt-in, and a failing or hanging channel isolated from the others."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from tests.integration.notify.events import trade_reject_and_breach
from tradestack.bus.codec import decode_event, encode_event
from tradestack.bus.memory import InMemoryBus
from tradestack.domain.events import Event, EventType
from tradestack.domain.notifications import Notification, NotificationKind
from tradestack.notify.fanout import Channel, NotificationDispatcher
from tradestack.notify.messages import notification_from_event
from tradestack.notify.port import NotifyError

K = NotificationKind


class Recorder:
    def __init__(self, name: str, *, fail: bool = False, hang: bool = False) -> None:
        self.name = name
        self.fail = fail
        self.hang = hang
        self.received: list[Notification] = []
        self.closed = False

    async def send(self, notification: Notification) -> None:
        if self.hang:
            await asyncio.sleep(3600)
        if self.fail:
            raise NotifyError(f"{self.name} is down")
        self.received.append(notification)

    async def close(self) -> None:
        self.closed = True


@pytest.fixture
async def bus() -> AsyncIterator[InMemoryBus]:
    bus = InMemoryBus()
    yield bus
    await bus.close()


async def test_each_channel_gets_the_kinds_it_opted_into_despite_broken_ones(
    bus: InMemoryBus,
) -> None:
    everything = Recorder("log")
    trades_only = Recorder("webhook")
    broken = Recorder("broken", fail=True)
    hanging = Recorder("hanging", hang=True)
    dispatcher = NotificationDispatcher(
        bus=bus,
        channels=[
            Channel(everything, frozenset(K)),
            Channel(trades_only, frozenset({K.TRADE_EXECUTED})),
            Channel(broken, frozenset(K)),
            Channel(hanging, frozenset(K)),
        ],
        send_timeout_s=0.2,
    )
    await dispatcher.start()
    await bus.start()
    await trade_reject_and_breach(bus)
    alert = {"alert_id": 1, "type": "x", "severity": "critical", "message": "m", "notify": True}
    await bus.publish(Event.create(EventType.ALERT_RAISED, alert))
    await bus.publish(Event.create(EventType.ALERT_RAISED, {**alert, "notify": False}))
    await bus.close()
    await dispatcher.stop()

    kinds = [n.kind for n in everything.received]
    assert sorted(kinds) == sorted(
        [K.TRADE_EXECUTED, K.ORDER_REJECTED, K.RISK_BREACH, K.ALERT_RAISED]
    )
    assert [n.kind for n in trades_only.received] == [K.TRADE_EXECUTED]
    health = dispatcher.health()["channels"]
    assert health["broken"]["failed"] == 4 and "broken is down" in health["broken"]["last_error"]
    assert health["hanging"]["failed"] == 4 and "no answer" in health["hanging"]["last_error"]
    assert health["log"] == {"sent": 4, "failed": 0, "last_error": None}
    assert everything.closed and broken.closed


async def test_the_texts_people_read(bus: InMemoryBus) -> None:
    seen: list[Event] = []

    async def collect(event: Event) -> None:
        seen.append(decode_event(encode_event(event)))  # as a broker would deliver it

    bus.subscribe("*", collect)
    await bus.start()
    await trade_reject_and_breach(bus)
    await bus.close()
    texts = {n.kind: n for e in seen if (n := notification_from_event(e)) is not None}
    assert texts[K.TRADE_EXECUTED].title == "Trade alice: BUY 0.5 BTC/USDT @ 100.5"
    assert texts[K.ORDER_REJECTED].text == "insufficient funds"
    assert texts[K.RISK_BREACH].title == "Risk max_position_size: alice"
    assert texts[K.RISK_BREACH].text == "position 2000 above 1000 on BUY 0.5 BTC/USDT"


async def test_a_full_queue_drops_instead_of_blocking_trading(bus: InMemoryBus) -> None:
    dispatcher = NotificationDispatcher(
        bus=bus, channels=[Channel(Recorder("log"), frozenset(K))], queue_size=1
    )
    note = Notification(K.DAILY_REPORT, "t", "x")
    dispatcher.enqueue(note)
    dispatcher.enqueue(note)
    assert dispatcher.dropped == 1
    delivery = await dispatcher.deliver(note)
    assert delivery.results == {"log": None}
