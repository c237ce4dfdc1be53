"""The API key pool: groups from the environment, rotation, resting, usage, no leaks."""

from __future__ import annotations

import logging

import pytest

from tradestack.errors import RateLimitedError
from tradestack.marketdata.keypool import KeyPool, keys_from_environment


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def sixteen_keys() -> dict[str, str]:
    env = {f"API_KEY_G{g}_{i}": f"secret-{g}-{i}-xyz" for g in (1, 2) for i in range(1, 9)}
    env["API_KEY_G1_10"] = "secret-1-10-xyz"
    env["API_KEY_G2_3"] = " "  # blank values are ignored
    env["OTHER"] = "x"
    return env


def test_environment_convention_gives_named_groups_in_numeric_order() -> None:
    groups = keys_from_environment(sixteen_keys())
    assert list(groups) == ["g1", "g2"]
    assert len(groups["g1"]) == 9 and groups["g1"][-1] == "secret-1-10-xyz"
    assert len(groups["g2"]) == 7


async def test_rotation_skips_resting_keys_and_waits_when_all_rest() -> None:
    clock = Clock()
    pool = KeyPool({"g1": ["a", "b", "c"]}, clock=clock, sleep=clock.sleep)
    assert [str(await pool.acquire()) for _ in range(4)] == ["g1#1", "g1#2", "g1#3", "g1#1"]
    first = pool.keys[1]
    pool.rest(first, 30)
    assert [str(await pool.acquire()) for _ in range(3)] == ["g1#3", "g1#1", "g1#3"]
    for key in pool.keys:
        pool.rest(key, 10 + key.index)
    assert str(await pool.acquire()) == "g1#1"
    assert clock.slept == [11]


async def test_all_keys_resting_too_long_is_a_clear_error() -> None:
    clock = Clock()
    pool = KeyPool({"g1": ["a"]}, max_wait_s=5, clock=clock, sleep=clock.sleep)
    pool.rest(pool.keys[0], 60)
    with pytest.raises(RateLimitedError, match="all 1 API keys are rate limited"):
        await pool.acquire()
    with pytest.raises(RateLimitedError, match="no API keys in group 'g9'"):
        await pool.acquire("g9")


async def test_usage_report_counts_per_key_and_never_shows_a_key(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    clock = Clock()
    pool = KeyPool(keys_from_environment(sixteen_keys()), clock=clock, sleep=clock.sleep)
    for _ in range(20):
        key = await pool.acquire("g2")
    pool.rest(key, None, "HTTP 429")
    pool.failed(pool.keys[0], "timeout")
    usage = {u.label: u for u in pool.usage()}
    assert sum(u.requests for u in usage.values()) == 20
    assert usage[key.label].rate_limited == 1 and usage[key.label].resting_s == 60
    assert usage["g1#1"].failures == 1
    shown = repr(pool.usage()) + repr(pool.keys) + str(pool.keys) + caplog.text
    for secret in pool.secrets():
        assert secret not in shown
    assert pool.redact(f"GET /x?apikey={key.reveal()}") == f"GET /x?apikey=<{key.label}>"
