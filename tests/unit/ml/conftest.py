"""Synthetic bars with a little trend, so models have something to learn."""

from __future__ import annotations

import numpy as np
import pytest

from tradestack.domain.bar_frame import BarFrame


def synthetic_frame(n: int = 600, seed: int = 1, symbol: str = "BTC/USDT") -> BarFrame:
    rng = np.random.default_rng(seed)
    drift = 0.002 * np.sin(np.arange(n) / 15.0)
    close = 100.0 * np.exp(np.cumsum(drift + rng.normal(0, 0.004, n)))
    open_ = np.concatenate([[close[0]], close[:-1]])
    spread = np.abs(rng.normal(0, 0.003, n)) * close
    high = np.maximum(open_, close) + spread
    low = np.minimum(open_, close) - spread
    volume = rng.uniform(10, 100, n)
    ts = 1_700_000_000 - 1_700_000_000 % 3600 + 3600 * np.arange(n)
    return BarFrame.from_arrays(symbol, "1h", ts, open_, high, low, close, volume)


@pytest.fixture
def frame() -> BarFrame:
    return synthetic_frame()
