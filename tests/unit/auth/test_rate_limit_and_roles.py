"""Roles are ordered and parsed by name; the rate limiter is a token bucket per key."""

from __future__ import annotations

import pytest

from tradestack.auth.rate_limit import RateLimiter
from tradestack.auth.roles import Principal, Role


def test_roles_are_ordered_and_parse_by_name() -> None:
    assert Role.VIEWER < Role.TRADER < Role.ADMIN
    assert Role.parse(" Admin ") is Role.ADMIN
    with pytest.raises(ValueError, match="viewer, trader, admin"):
        Role.parse("boss")
    assert Principal("alice", Role.TRADER).may(Role.VIEWER)
    assert not Principal("alice", Role.TRADER).may(Role.ADMIN)


def test_bucket_allows_a_burst_then_refills_at_the_rate() -> None:
    limiter = RateLimiter(rate_per_s=2, burst=3)
    assert [limiter.acquire("t", now=0.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.acquire("t", now=0.0) == pytest.approx(0.5)
    assert limiter.acquire("other", now=0.0) == 0.0
    assert limiter.acquire("t", now=0.5) == 0.0
    assert limiter.acquire("t", now=0.5) > 0


def test_zero_rate_means_no_limit() -> None:
    limiter = RateLimiter(rate_per_s=0, burst=1)
    assert all(limiter.acquire("t") == 0.0 for _ in range(1000))
