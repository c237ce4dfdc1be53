"""Bounded exponential back-off for calls that are safe to repeat (reads, cancels).

Only ``VenueUnavailableError`` (network trouble, rate limits) is retried;
a refusal or an authentication error is raised at once. Submits never go
through here: an unanswered submit is resolved by asking the venue first
(see ``live_executor``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from tradestack.errors import VenueRateLimitedError, VenueUnavailableError

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """``attempts`` calls at most, waiting ``base_delay_s * factor**n`` (capped) in between."""

    attempts: int = 5
    base_delay_s: float = 0.25
    factor: float = 2.0
    max_delay_s: float = 8.0
    rate_limit_delay_s: float = 1.0
    """Rate limits wait at least this long: the venue said how it feels."""

    def delay_s(self, attempt: int, error: Exception) -> float:
        delay = min(self.base_delay_s * self.factor**attempt, self.max_delay_s)
        if isinstance(error, VenueRateLimitedError):
            delay = max(delay, min(self.rate_limit_delay_s, self.max_delay_s))
        return delay


async def with_retry(
    call: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    what: str,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> T:
    """Await ``call()``, retrying on VenueUnavailableError; re-raise the last one when spent."""
    for attempt in range(policy.attempts):
        try:
            return await call()
        except VenueUnavailableError as error:
            if attempt + 1 >= policy.attempts:
                raise
            delay = policy.delay_s(attempt, error)
            log.warning(
                "%s failed (%s); retry %d/%d in %.2fs",
                what,
                error,
                attempt + 1,
                policy.attempts - 1,
                delay,
            )
            await sleep(delay)
    raise AssertionError("unreachable: attempts must be at least 1")
