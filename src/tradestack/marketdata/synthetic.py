"""A seeded synthetic market: geometric random walk with an intraday volatility cycle.

Used for the demo, the tests and the benchmarks: the same (seed, symbol,
timeframe, start) always gives the same bars, so a restart that regenerates a
range stores nothing new.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from tradestack.domain.market import Bar
from tradestack.domain.timeframes import Timeframe

_SECONDS_PER_YEAR = 365 * 86400


@dataclass(frozen=True, slots=True)
class SyntheticMarket:
    """Parameters of the walk; ``annual_volatility`` 0.6 is crypto-like."""

    seed: int = 7
    start_price: float = 30_000.0
    annual_volatility: float = 0.6
    annual_drift: float = 0.0
    base_volume: float = 50.0

    def bars(
        self,
        symbol: str,
        timeframe: str,
        start: datetime,
        count: int,
        *,
        previous_close: float | None = None,
    ) -> list[Bar]:
        """Generate ``count`` bars opening at ``start`` (aligned to the timeframe)."""
        arrays = self.arrays(symbol, timeframe, start, count, previous_close=previous_close)
        frame = Timeframe.parse(timeframe)
        first = frame.floor(start)
        opens, highs, lows, closes, volumes = (a.tolist() for a in arrays)
        return [
            Bar(symbol, timeframe, first + frame.delta * i, o, h, lo, c, v)
            for i, (o, h, lo, c, v) in enumerate(
                zip(opens, highs, lows, closes, volumes, strict=True)
            )
        ]

    def arrays(
        self,
        symbol: str,
        timeframe: str,
        start: datetime,
        count: int,
        *,
        previous_close: float | None = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Return (open, high, low, close, volume) arrays; the fast path for benchmarks."""
        frame = Timeframe.parse(timeframe)
        first = frame.floor(start)
        rng = np.random.default_rng(self._seed_for(symbol, timeframe, first))
        dt_years = frame.seconds / _SECONDS_PER_YEAR
        epochs = first.timestamp() + frame.seconds * np.arange(count, dtype=np.float64)
        sigma = self.annual_volatility * math.sqrt(dt_years) * _intraday_factor(epochs, frame)
        shocks = rng.standard_normal(count)
        log_returns = (
            self.annual_drift - 0.5 * self.annual_volatility**2
        ) * dt_years + sigma * shocks
        anchor = previous_close if previous_close is not None else self._anchor(symbol)
        closes = anchor * np.exp(np.cumsum(log_returns))
        opens = np.empty(count)
        opens[0] = anchor
        opens[1:] = closes[:-1]
        wick_up = np.exp(np.abs(rng.standard_normal(count)) * sigma * 0.5)
        wick_down = np.exp(-np.abs(rng.standard_normal(count)) * sigma * 0.5)
        highs = np.maximum(opens, closes) * wick_up
        lows = np.minimum(opens, closes) * wick_down
        activity = np.abs(shocks) + 0.5
        volumes = self.base_volume * activity * rng.lognormal(0.0, 0.3, count)
        return (
            np.round(opens, 2),
            np.round(np.maximum(highs, np.maximum(opens, closes)), 2),
            np.round(np.minimum(lows, np.minimum(opens, closes)), 2),
            np.round(closes, 2),
            np.round(volumes, 4),
        )

    def _seed_for(self, symbol: str, timeframe: str, start: datetime) -> int:
        key = f"{self.seed}|{symbol}|{timeframe}|{int(start.timestamp())}".encode()
        return int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "little")

    def _anchor(self, symbol: str) -> float:
        """A stable, symbol-specific first price so BTC and ETH don't trade at the same level."""
        digest = hashlib.blake2b(symbol.encode(), digest_size=2).digest()
        return self.start_price * (0.5 + int.from_bytes(digest, "little") / 65535)


def _intraday_factor(epochs: np.ndarray, frame: Timeframe) -> np.ndarray:
    """Volatility multiplier by UTC hour: quiet Asian night, busy US open (mean about 1)."""
    if frame.seconds >= 86400:
        return np.ones_like(epochs)
    hours = (epochs % 86400) / 3600.0
    us_open = np.exp(-0.5 * ((hours - 14.5) / 1.5) ** 2)
    eu_open = np.exp(-0.5 * ((hours - 8.0) / 1.2) ** 2)
    return 0.7 + 0.6 * us_open + 0.4 * eu_open
