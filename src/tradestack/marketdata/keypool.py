"""A pool of provider API keys in named groups: rotation, resting rate-limited keys, usage.

Data vendors limit requests per key; holding many keys multiplies the budget
(for example two groups of eight, ``API_KEY_G1_1..8`` and ``API_KEY_G2_1..8``).
Requests take keys in turn; a key answered with HTTP 429 (or the vendor's own
rate-limit error) rests for its back-off and is skipped until then. Keys are
only ever shown by label (``g1#3``) and a short fingerprint: ``ApiKey`` hides
its value from ``repr``/``str`` and ``redact`` scrubs it out of any text.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from tradestack.config.data_settings import keys_from_environment
from tradestack.errors import RateLimitedError

__all__ = ["ApiKey", "KeyPool", "KeyUsage", "RedactingFilter", "keys_from_environment"]

log = logging.getLogger(__name__)


@dataclass(eq=False, slots=True)
class ApiKey:
    """One key; its value is read with ``reveal()`` by the adapter that sends it, nowhere else."""

    group: str
    index: int
    _value: str = field(repr=False)
    requests: int = 0
    rate_limited: int = 0
    failures: int = 0
    resting_until: float = 0.0
    last_reason: str = ""

    @property
    def label(self) -> str:
        return f"{self.group}#{self.index}"

    @property
    def fingerprint(self) -> str:
        """A stable short hash that tells keys apart in reports without revealing them."""
        return hashlib.sha256(self._value.encode()).hexdigest()[:8]

    def reveal(self) -> str:
        return self._value

    def __str__(self) -> str:
        return self.label

    def __repr__(self) -> str:
        return f"ApiKey({self.label})"


@dataclass(frozen=True, slots=True)
class KeyUsage:
    """One row of the pool's usage report."""

    label: str
    group: str
    fingerprint: str
    requests: int
    rate_limited: int
    failures: int
    resting_s: float
    last_reason: str


class KeyPool:
    """Hands out keys in rotation, skipping resting ones; safe to share between tasks."""

    def __init__(
        self,
        groups: Mapping[str, Sequence[str]],
        *,
        default_backoff_s: float = 60.0,
        max_wait_s: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.keys = [
            ApiKey(group, number, value)
            for group, values in groups.items()
            for number, value in enumerate(values, start=1)
        ]
        self.default_backoff_s = default_backoff_s
        self.max_wait_s = max_wait_s
        self._clock = clock
        self._sleep = sleep
        self._cursor: dict[str | None, int] = {}

    def __len__(self) -> int:
        return len(self.keys)

    @property
    def groups(self) -> list[str]:
        return list(dict.fromkeys(k.group for k in self.keys))

    async def acquire(self, group: str | None = None) -> ApiKey:
        """Return the next key not resting (of ``group``, or of any group).

        Waits for the first key to wake when all rest.

        Raises
        ------
        RateLimitedError
            Every key rests longer than ``max_wait_s``, or ``group`` has no keys.
        """
        candidates = [k for k in self.keys if group is None or k.group == group]
        if not candidates:
            raise RateLimitedError(f"no API keys in group {group!r} (groups: {self.groups})")
        while True:
            now = self._clock()
            start = self._cursor.get(group, 0)
            for step in range(len(candidates)):
                key = candidates[(start + step) % len(candidates)]
                if key.resting_until <= now:
                    self._cursor[group] = (start + step + 1) % len(candidates)
                    key.requests += 1
                    return key
            wake = min(k.resting_until for k in candidates) - now
            if wake > self.max_wait_s:
                raise RateLimitedError(
                    f"all {len(candidates)} API keys are rate limited; "
                    f"the first is free again in {wake:.0f} s"
                )
            log.info("all %d API keys rest; waiting %.1f s", len(candidates), wake)
            await self._sleep(wake)

    def rest(self, key: ApiKey, seconds: float | None = None, reason: str = "rate limited") -> None:
        """Take ``key`` out of rotation for ``seconds`` (the pool's default back-off if None)."""
        pause = self.default_backoff_s if seconds is None else max(0.0, seconds)
        key.rate_limited += 1
        key.resting_until = self._clock() + pause
        key.last_reason = reason
        log.warning("API key %s rests %.1f s: %s", key.label, pause, reason)

    def failed(self, key: ApiKey, reason: str) -> None:
        """Count a request that failed for a reason other than the rate limit."""
        key.failures += 1
        key.last_reason = reason

    def usage(self) -> list[KeyUsage]:
        now = self._clock()
        return [
            KeyUsage(
                label=k.label,
                group=k.group,
                fingerprint=k.fingerprint,
                requests=k.requests,
                rate_limited=k.rate_limited,
                failures=k.failures,
                resting_s=round(max(0.0, k.resting_until - now), 3),
                last_reason=k.last_reason,
            )
            for k in self.keys
        ]

    def redact(self, text: str) -> str:
        """Replace every key value in ``text`` with its label."""
        for key in self.keys:
            if key.reveal() and key.reveal() in text:
                text = text.replace(key.reveal(), f"<{key.label}>")
        return text

    def secrets(self) -> Iterable[str]:
        return (k.reveal() for k in self.keys)


class RedactingFilter(logging.Filter):
    """A logging filter that scrubs the pool's key values out of vendor log records."""

    def __init__(self, pool: KeyPool) -> None:
        super().__init__()
        self.pool = pool

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self.pool.redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
