"""Strategies as arrays: per built-in strategy, a compiled kernel giving its signal on every bar.

A kernel must reproduce the strategy's ``on_bar`` decisions exactly, floating
point included: ``sma_cross`` keeps the same running sums, updated in the same
order, so both engines see the same crossings even on near-ties.
Signals: +1 BUY, -1 SELL, 2 CLOSE, 0 nothing.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numba import njit

from tradestack.backtest.series import BarSeries
from tradestack.errors import ConfigError
from tradestack.strategy.base import Strategy
from tradestack.strategy.sma_cross import SmaCross

BUY, SELL, CLOSE = 1, -1, 2


@njit(cache=True, nogil=True)
def sma_cross_kernel(close: np.ndarray, fast: int, slow: int) -> np.ndarray:  # pragma: no cover
    n = close.shape[0]
    out = np.zeros(n, dtype=np.int8)
    fast_sum = 0.0
    slow_sum = 0.0
    state = -1
    for i in range(n):
        length = i if i < slow else slow
        if length == slow:
            slow_sum -= close[i - slow]
        if length >= fast:
            fast_sum -= close[i - fast]
        slow_sum += close[i]
        fast_sum += close[i]
        if i + 1 < slow:
            continue
        above = 1 if fast_sum * slow > slow_sum * fast else 0
        if state != -1 and above != state:
            out[i] = BUY if above == 1 else SELL
        state = above
    return out


def _sma_cross(strategy: Strategy, series: BarSeries) -> np.ndarray:
    return sma_cross_kernel(
        series.close, int(strategy.params["fast"]), int(strategy.params["slow"])
    )


SignalFunction = Callable[[Strategy, BarSeries], np.ndarray]
_KERNELS: tuple[tuple[type[Strategy], SignalFunction], ...] = ((SmaCross, _sma_cross),)


def supports(strategy: Strategy) -> bool:
    return hasattr(strategy, "vector_signals") or any(
        isinstance(strategy, cls) for cls, _ in _KERNELS
    )


def signals_for(strategy: Strategy, series: BarSeries) -> np.ndarray:
    """Return the strategy's signal on every bar; raise ConfigError if it has no kernel."""
    vector_signals = getattr(strategy, "vector_signals", None)  # v2 populate(frame) strategies
    if vector_signals is not None:
        return np.ascontiguousarray(vector_signals(series), dtype=np.int8)
    for cls, function in _KERNELS:
        if isinstance(strategy, cls):
            return function(strategy, series)
    names = ", ".join(cls.name for cls, _ in _KERNELS)
    raise ConfigError(
        f"strategy {strategy.name} has no vectorised form; use --engine event (vectorised: {names})"
    )
