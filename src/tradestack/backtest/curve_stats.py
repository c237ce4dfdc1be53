"""One compiled pass over an equity curve: return moments, deepest and longest drawdown.

numpy needs half a dozen full-length temporaries (and a slow
``maximum.accumulate``) for the same figures; on a million bars this pass is
about twenty times faster, which matters when a grid computes them per point.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def curve_stats(
    curve: np.ndarray,
) -> tuple[float, float, float, float, int, int]:  # pragma: no cover
    """Return (mean return, sample std, downside deviation, max drawdown, peak, recovery).

    Returns are simple, point to point. The drawdown is a fraction (<= 0);
    ``peak`` and ``recovery`` are the indices bounding the longest drawdown
    (recovery is the last index if the curve never got back to its peak).
    """
    n = curve.shape[0]
    total = 0.0
    down_sq = 0.0
    peak_value = curve[0]
    peak_at = 0
    deepest = 0.0
    longest = 0
    longest_peak = 0
    longest_end = 0
    for i in range(1, n):
        r = curve[i] / curve[i - 1] - 1.0
        total += r
        if r < 0.0:
            down_sq += r * r
        value = curve[i]
        if value >= peak_value:
            if i - 1 - peak_at > longest and i - 1 > peak_at:
                longest, longest_peak, longest_end = i - 1 - peak_at, peak_at, i
            peak_value, peak_at = value, i
        else:
            drawdown = value / peak_value - 1.0
            if drawdown < deepest:
                deepest = drawdown
    if n - 1 - peak_at > longest:
        longest, longest_peak, longest_end = n - 1 - peak_at, peak_at, n - 1
    m = n - 1
    if m <= 0:
        return 0.0, 0.0, 0.0, 0.0, 0, 0
    mean = total / m
    squares = 0.0
    for i in range(1, n):
        d = curve[i] / curve[i - 1] - 1.0 - mean
        squares += d * d
    std = np.sqrt(squares / (m - 1)) if m > 1 else 0.0
    return mean, std, np.sqrt(down_sq / m), deepest, longest_peak, longest_end
