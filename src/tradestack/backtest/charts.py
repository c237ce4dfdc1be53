"""Inline SVG charts for the HTML report: no JavaScript, no CDN, readable offline.

Long series are thinned before drawing: lines to about a thousand points,
candles to a few hundred buckets (open of the first bar, extremes, close of
the last), so a million-bar run still gives a page of a few hundred kB.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

import numpy as np

WIDTH, HEIGHT, PAD_LEFT, PAD_RIGHT, PAD_Y = 960, 260, 70, 16, 22
MAX_LINE_POINTS = 1_000
MAX_CANDLES = 300
MAX_MARKERS = 1_000


@dataclass(frozen=True, slots=True)
class Marker:
    index: int
    price: float
    entry: bool
    long: bool


def line_chart(
    values: np.ndarray, labels: Sequence[str], *, title: str, color: str, fill: bool = False
) -> str:
    """A line over bar positions; ``labels`` are the x-axis texts of first, middle and last bar."""
    picks = _thin(len(values), MAX_LINE_POINTS)
    ys = values[picks]
    low, high = _range(float(ys.min()), float(ys.max()))
    xs = _x(picks, len(values))
    points = " ".join(f"{x:.1f},{_y(v, low, high):.1f}" for x, v in zip(xs, ys, strict=True))
    area = ""
    if fill:
        base = _y(min(max(0.0, low), high), low, high)
        area = (
            f'<polygon points="{xs[0]:.1f},{base:.1f} {points} {xs[-1]:.1f},{base:.1f}" '
            f'fill="{color}" fill-opacity="0.18" stroke="none"/>'
        )
    body = area + f'<polyline points="{points}" fill="none" stroke="{color}" stroke-width="1.4"/>'
    return _frame(title, body, low, high, labels)


def candle_chart(
    opens: np.ndarray,
    highs: np.ndarray,
    lows: np.ndarray,
    closes: np.ndarray,
    markers: Sequence[Marker],
    labels: Sequence[str],
    *,
    title: str,
) -> str:
    """Candles (bucketed when long) with entry and exit triangles at their prices."""
    count = len(closes)
    buckets = min(count, MAX_CANDLES)
    edges = np.linspace(0, count, buckets + 1).astype(np.int64)
    starts, stops = edges[:-1], edges[1:] - 1
    o, c = opens[starts], closes[stops]
    h = np.maximum.reduceat(highs, starts)
    lo = np.minimum.reduceat(lows, starts)
    low, high = _range(float(lo.min()), float(h.max()))
    step = (WIDTH - PAD_LEFT - PAD_RIGHT) / buckets
    parts = []
    for k in range(buckets):
        x = PAD_LEFT + step * (k + 0.5)
        color = "#2e7d32" if c[k] >= o[k] else "#c62828"
        top, bottom = _y(max(o[k], c[k]), low, high), _y(min(o[k], c[k]), low, high)
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{_y(h[k], low, high):.1f}" '
            f'y2="{_y(lo[k], low, high):.1f}" stroke="{color}"/>'
            f'<rect x="{x - step * 0.35:.1f}" y="{top:.1f}" width="{max(step * 0.7, 0.8):.1f}" '
            f'height="{max(bottom - top, 0.8):.1f}" fill="{color}"/>'
        )
    for marker in markers[:MAX_MARKERS]:
        bucket = int(np.searchsorted(edges, marker.index, side="right")) - 1
        x = PAD_LEFT + step * (bucket + 0.5)
        parts.append(_triangle(x, _y(marker.price, low, high), marker))
    return _frame(title, "".join(parts), low, high, labels)


def _triangle(x: float, y: float, marker: Marker) -> str:
    up = marker.entry == marker.long
    color = "#1565c0" if marker.entry else "#ef6c00"
    d = 6.0
    tip, base = (y - d, y + d) if up else (y + d, y - d)
    kind = "entry" if marker.entry else "exit"
    return (
        f'<polygon class="{kind}" points="{x:.1f},{tip:.1f} {x - d / 1.4:.1f},{base:.1f} '
        f'{x + d / 1.4:.1f},{base:.1f}" fill="{color}" fill-opacity="0.85"/>'
    )


def _frame(title: str, body: str, low: float, high: float, labels: Sequence[str]) -> str:
    grid = []
    for k in range(5):
        value = low + (high - low) * k / 4
        y = _y(value, low, high)
        grid.append(
            f'<line x1="{PAD_LEFT}" x2="{WIDTH - PAD_RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="#e0e0e0"/><text x="{PAD_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{_format(value)}</text>"
        )
    anchors = ("start", "middle", "end")
    xs = (PAD_LEFT, (PAD_LEFT + WIDTH - PAD_RIGHT) / 2, WIDTH - PAD_RIGHT)
    axis = "".join(
        f'<text x="{x:.1f}" y="{HEIGHT - 4}" text-anchor="{a}">{escape(label)}</text>'
        for x, a, label in zip(xs, anchors, labels, strict=False)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-label="{escape(title)}" font-size="11" font-family="sans-serif">'
        f'<text x="{PAD_LEFT}" y="14" font-weight="bold">{escape(title)}</text>'
        f"{''.join(grid)}{body}{axis}</svg>"
    )


def _thin(count: int, points: int) -> np.ndarray:
    return np.unique(np.linspace(0, count - 1, min(count, points)).round().astype(np.int64))


def _x(picks: np.ndarray, count: int) -> np.ndarray:
    span = max(count - 1, 1)
    return PAD_LEFT + picks / span * (WIDTH - PAD_LEFT - PAD_RIGHT)


def _y(value: float, low: float, high: float) -> float:
    return PAD_Y + (high - value) / (high - low) * (HEIGHT - 2 * PAD_Y - 6)


def _range(low: float, high: float) -> tuple[float, float]:
    if high - low < 1e-12 * max(abs(high), 1.0):
        return low - 1, high + 1
    margin = (high - low) * 0.04
    return low - margin, high + margin


def _format(value: float) -> str:
    magnitude = abs(value)
    if magnitude >= 1e6:
        return f"{value / 1e6:.2f}M"
    if magnitude >= 1e4:
        return f"{value / 1e3:.1f}k"
    return f"{value:.4g}"
