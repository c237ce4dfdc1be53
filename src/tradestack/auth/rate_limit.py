"""A token bucket per key: ``rate_per_s`` sustained, ``burst`` at once, memory bounded."""

from __future__ import annotations

import time

_KEY_LIMIT = 10_000


class RateLimiter:
    def __init__(self, *, rate_per_s: float, burst: int) -> None:
        self.rate_per_s = rate_per_s
        self.burst = float(burst)
        self._buckets: dict[str, tuple[float, float]] = {}

    @property
    def enabled(self) -> bool:
        return self.rate_per_s > 0

    def acquire(self, key: str, now: float | None = None) -> float:
        """Take one request from ``key``'s bucket; return 0, or the seconds to wait when empty."""
        if not self.enabled:
            return 0.0
        now = time.monotonic() if now is None else now
        tokens, last = self._buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate_per_s)
        if tokens < 1:
            self._buckets[key] = (tokens, now)
            return (1 - tokens) / self.rate_per_s
        if len(self._buckets) >= _KEY_LIMIT and key not in self._buckets:
            self._forget_full(now)
        self._buckets[key] = (tokens - 1, now)
        return 0.0

    def _forget_full(self, now: float) -> None:
        """Drop buckets that have refilled: forgetting them changes no answer."""
        refill_s = self.burst / self.rate_per_s
        self._buckets = {
            key: value for key, value in self._buckets.items() if now - value[1] < refill_s
        }
