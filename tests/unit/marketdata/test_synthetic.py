import itertools
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from tradestack.marketdata.synthetic import SyntheticMarket

START = datetime(2026, 1, 1, tzinfo=UTC)


def test_same_seed_same_bars_and_different_seed_different_bars() -> None:
    a = SyntheticMarket(seed=1).bars("BTC/USDT", "1m", START, 500)
    b = SyntheticMarket(seed=1).bars("BTC/USDT", "1m", START, 500)
    c = SyntheticMarket(seed=2).bars("BTC/USDT", "1m", START, 500)
    assert a == b
    assert [x.close for x in a] != [x.close for x in c]


def test_bars_are_contiguous_and_aligned() -> None:
    bars = SyntheticMarket().bars("ETH/USDT", "5m", START, 100)
    assert all(b.ts.timestamp() % 300 == 0 for b in bars)
    assert all((b2.ts - b1.ts).total_seconds() == 300 for b1, b2 in itertools.pairwise(bars))
    assert all(b2.open == b1.close for b1, b2 in itertools.pairwise(bars))


def test_continuation_starts_from_previous_close() -> None:
    bars = SyntheticMarket().bars("BTC/USDT", "1m", START, 3, previous_close=123.45)
    assert bars[0].open == 123.45


def test_intraday_volatility_is_higher_at_the_us_open_than_at_night() -> None:
    market = SyntheticMarket(seed=3)
    _opens, _h, _l, closes, _v = market.arrays("BTC/USDT", "1m", START, 60 * 24 * 60)
    import numpy as np

    returns = np.abs(np.diff(np.log(closes)))
    minutes = np.arange(returns.size) % 1440
    us = returns[(minutes >= 14 * 60) & (minutes < 15 * 60)].mean()
    night = returns[(minutes >= 2 * 60) & (minutes < 3 * 60)].mean()
    assert us > 1.3 * night


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    count=st.integers(1, 300),
    timeframe=st.sampled_from(["1m", "5m", "1h", "1d"]),
)
def test_ohlc_invariants_hold(seed: int, count: int, timeframe: str) -> None:
    for bar in SyntheticMarket(seed=seed).bars("X/Y", timeframe, START, count):
        assert bar.low <= min(bar.open, bar.close) <= max(bar.open, bar.close) <= bar.high
        assert bar.low > 0 and bar.volume >= 0
