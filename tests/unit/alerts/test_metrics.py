"""Live metrics: per-second rolling counts, rates, rejection share and bar gaps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.unit.factories import bar
from tradestack.alerts.metrics import LiveMetrics, RollingCounter
from tradestack.domain.events import Event, EventType
from tradestack.marketdata.replay import bar_event

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_rolling_counter_forgets_what_left_the_window() -> None:
    counter = RollingCounter(horizon_s=60)
    counter.add(at(0), 3)
    counter.add(at(0.5))
    counter.add(at(10), 2)
    assert counter.total(at(10), 60) == 6
    assert counter.total(at(10), 5) == 2
    assert counter.total(at(61), 60) == 2
    assert counter.total(at(200), 60) == 0


def test_rates_and_rejection_share() -> None:
    metrics = LiveMetrics()
    for i in range(30):
        metrics.on_event(Event.create(EventType.SIGNAL_GENERATED, {}), at(i))
    for i in range(99):
        metrics.on_event(Event.create(EventType.ORDER_SUBMITTED, {}), at(i % 30))
    metrics.on_event(Event.create(EventType.ORDER_REJECTED, {}), at(29))
    assert metrics.value("signals_per_s", at(29), 10) == {"": 1.0}
    assert metrics.value("order_rejection_rate", at(29), 60) == {"": 0.01}
    assert metrics.value("order_rejection_rate", at(500), 60) == {}


def test_handler_error_rate_from_bus_counts() -> None:
    metrics = LiveMetrics()
    metrics.sample_bus(at(0), {"groups": {"a": {"handled": 100, "failed": 0}}})
    metrics.sample_bus(at(60), {"groups": {"a": {"handled": 190, "failed": 10}}})
    assert metrics.value("handler_error_rate", at(60), 120) == {"": 0.1}


def test_bar_gaps_count_missing_bars_per_series() -> None:
    metrics = LiveMetrics()
    for i in (0, 1, 2, 5, 6):  # bars 3 and 4 never came
        metrics.on_event(bar_event(bar(i, 100.0)), at(i))
    metrics.on_event(bar_event(bar(6, 100.0)), at(7))  # a redelivery is no gap
    assert metrics.value("bar_gaps", at(7), 60) == {"BTC/USDT 1m": 2.0}
