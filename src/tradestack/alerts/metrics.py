"""Live metrics the alert rules read: rolling per-second counters fed by bus events, and probes.

Counters keep one bucket per second, so a busy bus costs one dict update per
event however long the windows are.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from tradestack.domain.events import Event, EventType
from tradestack.domain.timeframes import Timeframe
from tradestack.traders.events import bar_from_event

Probe = Callable[[], Awaitable[dict[str, float]]]
"""Returns ``{subject: value}`` now; ``""`` is the subject of a platform-wide figure."""

COUNTED = {
    EventType.SIGNAL_GENERATED: "signals",
    EventType.ORDER_FILLED: "fills",
    EventType.ORDER_PARTIALLY_FILLED: "fills",
    EventType.ORDER_SUBMITTED: "submitted",
    EventType.ORDER_REJECTED: "rejected",
}


class RollingCounter:
    """Counts per whole second for the last ``horizon_s`` seconds."""

    def __init__(self, horizon_s: float) -> None:
        self.horizon_s = horizon_s
        self._buckets: deque[list[int]] = deque()

    def add(self, now: datetime, count: int = 1) -> None:
        second = int(now.timestamp())
        if self._buckets and self._buckets[-1][0] == second:
            self._buckets[-1][1] += count
        else:
            self._buckets.append([second, count])
        self._trim(second)

    def total(self, now: datetime, window_s: float) -> int:
        second = int(now.timestamp())
        self._trim(second)
        since = second - window_s
        return sum(count for at, count in self._buckets if at > since)

    def _trim(self, second: int) -> None:
        while self._buckets and self._buckets[0][0] <= second - self.horizon_s:
            self._buckets.popleft()


class LiveMetrics:
    """Rates over windows from bus events; bar gaps from consecutive live bars per series."""

    def __init__(self, *, horizon_s: float = 3600.0) -> None:
        self.horizon_s = horizon_s
        self.counters: dict[str, RollingCounter] = {}
        self.gaps: dict[str, RollingCounter] = {}
        self._last_bar: dict[str, datetime] = {}
        self._bus_samples: deque[tuple[datetime, int, int]] = deque()

    def on_event(self, event: Event, now: datetime) -> None:
        name = COUNTED.get(event.event_type)
        if name is not None:
            self._counter(self.counters, name).add(now)
        elif event.event_type == EventType.MARKET_BAR:
            self._on_bar(event, now)

    def _on_bar(self, event: Event, now: datetime) -> None:
        bar = bar_from_event(event)
        series = f"{bar.symbol} {bar.timeframe}"
        previous = self._last_bar.get(series)
        self._last_bar[series] = bar.ts
        if previous is None or bar.ts <= previous:
            return
        step = timedelta(seconds=Timeframe.parse(bar.timeframe).seconds)
        missing = int((bar.ts - previous) / step) - 1
        if missing > 0:
            self._counter(self.gaps, series).add(now, missing)

    def sample_bus(self, now: datetime, health: dict[str, Any]) -> None:
        """Record the bus's cumulative handled/failed counts (for ``handler_error_rate``)."""
        groups = health.get("groups") or {}
        handled = sum(int(g.get("handled", 0)) for g in groups.values())
        failed = sum(int(g.get("failed", 0)) for g in groups.values())
        self._bus_samples.append((now, handled, failed))
        while self._bus_samples and (now - self._bus_samples[0][0]).total_seconds() > (
            self.horizon_s
        ):
            self._bus_samples.popleft()

    def value(self, metric: str, now: datetime, window_s: float) -> dict[str, float]:
        """Return ``{subject: value}`` of a counter-based metric over the last ``window_s``."""
        if metric == "signals_per_s":
            return {"": self._total("signals", now, window_s) / window_s}
        if metric == "fills_per_s":
            return {"": self._total("fills", now, window_s) / window_s}
        if metric == "order_rejection_rate":
            rejected = self._total("rejected", now, window_s)
            attempts = rejected + self._total("submitted", now, window_s)
            return {"": rejected / attempts} if attempts else {}
        if metric == "handler_error_rate":
            return self._handler_error_rate(now, window_s)
        if metric == "bar_gaps":
            return {series: float(c.total(now, window_s)) for series, c in self.gaps.items()}
        raise KeyError(metric)

    def _handler_error_rate(self, now: datetime, window_s: float) -> dict[str, float]:
        if not self._bus_samples:
            return {}
        since = now - timedelta(seconds=window_s)
        first = next((s for s in self._bus_samples if s[0] >= since), self._bus_samples[0])
        last = self._bus_samples[-1]
        handled, failed = last[1] - first[1], last[2] - first[2]
        total = handled + failed
        return {"": failed / total} if total else {}

    def _total(self, name: str, now: datetime, window_s: float) -> int:
        counter = self.counters.get(name)
        return counter.total(now, window_s) if counter is not None else 0

    def _counter(self, table: dict[str, RollingCounter], name: str) -> RollingCounter:
        counter = table.get(name)
        if counter is None:
            counter = table[name] = RollingCounter(self.horizon_s)
        return counter
