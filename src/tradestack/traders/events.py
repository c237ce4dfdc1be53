"""Read domain objects out of event payloads: objects on the memory bus, dicts on brokers."""

from __future__ import annotations

import msgspec

from tradestack.domain.events import Event
from tradestack.domain.market import Bar
from tradestack.domain.signals import Signal


def bar_from_event(event: Event) -> Bar:
    value = event.payload["bar"]
    return value if isinstance(value, Bar) else msgspec.convert(value, Bar)


def signals_from_event(event: Event) -> list[Signal]:
    values = event.payload.get("signals") or []
    return [v if isinstance(v, Signal) else msgspec.convert(v, Signal) for v in values]
