"""Prometheus figures and a health record per provider, shared by every LLM client of a process."""

from __future__ import annotations

import time
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest


class LlmMetrics:
    """One registry per process (or per test), like ``services.metrics.ServiceMetrics``."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        labels = ["provider", "model"]
        self.requests = Counter(
            "tradestack_llm_requests",
            "Chat requests by outcome (ok, error, budget)",
            [*labels, "outcome"],
            registry=self.registry,
        )
        self.tokens = Counter(
            "tradestack_llm_tokens",
            "Tokens used, prompt and completion",
            [*labels, "kind"],
            registry=self.registry,
        )
        self.cost = Counter(
            "tradestack_llm_cost_usd", "Spend in USD", labels, registry=self.registry
        )
        self.latency = Histogram(
            "tradestack_llm_latency_seconds",
            "Time per chat request, retries included",
            labels,
            registry=self.registry,
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60),
        )
        self.up = Gauge(
            "tradestack_llm_up", "1 when the last request succeeded", labels, registry=self.registry
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)


@dataclass
class ProviderHealth:
    """What /ready shows per provider: the last outcome and when."""

    provider: str
    model: str
    endpoint: str
    last_ok_at: float | None = None
    last_error: str | None = None
    last_error_at: float | None = None
    last_latency_s: float | None = None

    def ok(self, latency_s: float) -> None:
        self.last_ok_at, self.last_latency_s, self.last_error = time.time(), latency_s, None

    def failed(self, reason: str) -> None:
        self.last_error, self.last_error_at = reason, time.time()

    @property
    def status(self) -> str:
        """``ok``, ``unknown`` (never asked) or the last error."""
        if self.last_error is not None:
            return self.last_error
        return "ok" if self.last_ok_at is not None else "unknown"

    def as_dict(self) -> dict[str, object]:
        return {
            "provider": self.provider,
            "model": self.model,
            "endpoint": self.endpoint,
            "status": self.status,
            "last_ok_at": self.last_ok_at,
            "last_error_at": self.last_error_at,
            "last_latency_s": self.last_latency_s,
        }
