"""Which indicator lines the chart draws over a trader's candles: the ones its strategy reads.

A strategy may say so itself (a ``chart_indicators`` attribute or method, names
in the ``?indicators=`` syntax of the candlesticks route); the built-in ones
are known here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tradestack.strategy.registry import strategy_classes


def chart_indicators(strategy: str, params: Mapping[str, Any]) -> list[str]:
    """Indicator names for the candlesticks route, e.g. ``["sma_10", "sma_30"]``."""
    cls = strategy_classes().get(strategy)
    declared = getattr(cls, "chart_indicators", None) if cls is not None else None
    if callable(declared):
        return list(declared(params))
    if isinstance(declared, list | tuple):
        return list(declared)
    defaults = _defaults(cls)
    merged = {**defaults, **params}
    if strategy == "sma_cross":
        return [f"sma_{int(merged.get('fast', 10))}", f"sma_{int(merged.get('slow', 30))}"]
    if strategy == "channel_breakout":
        return [f"bbands_{int(merged.get('entry', 20))}_2"]
    return []


def _defaults(cls: Any) -> dict[str, Any]:
    parameters = getattr(cls, "parameters", ()) if cls is not None else ()
    return {p.name: p.default for p in parameters if hasattr(p, "name")}
