"""Prometheus metrics of one service, and a bus proxy that measures every handler."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from tradestack.bus.port import DeadLetter, EventBus, EventHandler, RequestHandler
from tradestack.domain.events import Event


class ServiceMetrics:
    """One registry per process, so tests can run several services side by side."""

    def __init__(self, service: str) -> None:
        self.service = service
        self.registry = CollectorRegistry()
        self.events_handled = Counter(
            "tradestack_events_handled",
            "Events handled",
            ["service", "event_type"],
            registry=self.registry,
        )
        self.events_published = Counter(
            "tradestack_events_published",
            "Events published",
            ["service", "event_type"],
            registry=self.registry,
        )
        self.handler_errors = Counter(
            "tradestack_handler_errors",
            "Handlers that raised",
            ["service", "event_type"],
            registry=self.registry,
        )
        self.handler_latency = Histogram(
            "tradestack_handler_latency_seconds",
            "Time spent in event handlers",
            ["service", "pattern"],
            registry=self.registry,
            buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0),
        )
        self.orders = Gauge(
            "tradestack_orders",
            "Orders seen by status",
            ["service", "status"],
            registry=self.registry,
        )
        self.bus_lag = Gauge(
            "tradestack_bus_lag",
            "Events waiting per consumer group",
            ["service", "group"],
            registry=self.registry,
        )
        self.up = Gauge(
            "tradestack_service_up", "1 while serving", ["service"], registry=self.registry
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)


class InstrumentedBus:
    """Wraps an EventBus: counts publishes and measures every subscribed handler."""

    def __init__(self, bus: EventBus, metrics: ServiceMetrics) -> None:
        self.inner = bus
        self.metrics = metrics

    async def start(self) -> None:
        await self.inner.start()

    async def close(self) -> None:
        await self.inner.close()

    async def publish(self, event: Event) -> None:
        self.metrics.events_published.labels(self.metrics.service, event.event_type).inc()
        await self.inner.publish(event)

    async def publish_many(self, events: Sequence[Event]) -> None:
        for event in events:
            self.metrics.events_published.labels(self.metrics.service, event.event_type).inc()
        await self.inner.publish_many(events)

    def subscribe(self, pattern: str, handler: EventHandler, *, group: str | None = None) -> None:
        metrics = self.metrics
        latency = metrics.handler_latency.labels(metrics.service, pattern)

        async def measured(event: Event) -> None:
            started = time.perf_counter()
            try:
                await handler(event)
            except Exception:
                metrics.handler_errors.labels(metrics.service, event.event_type).inc()
                raise
            finally:
                latency.observe(time.perf_counter() - started)
            metrics.events_handled.labels(metrics.service, event.event_type).inc()

        self.inner.subscribe(pattern, measured, group=group)

    def serve(self, service: str, command: str, handler: RequestHandler) -> None:
        self.inner.serve(service, command, handler)

    async def call(
        self, service: str, command: str, params: dict[str, Any], *, timeout_s: float = 5.0
    ) -> dict[str, Any]:
        return await self.inner.call(service, command, params, timeout_s=timeout_s)

    async def dead_letters(self, limit: int = 100) -> list[DeadLetter]:
        return await self.inner.dead_letters(limit)

    def health(self) -> dict[str, Any]:
        health = self.inner.health()
        for group, figures in (health.get("groups") or {}).items():
            lag = figures.get("lag") if isinstance(figures, dict) else None
            if isinstance(lag, int | float):
                self.metrics.bus_lag.labels(self.metrics.service, group).set(lag)
        return health
