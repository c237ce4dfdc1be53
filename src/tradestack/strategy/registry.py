"""Built-in strategies by name; the one place that turns a name and parameters into a Strategy."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tradestack.errors import NotFoundError
from tradestack.strategy.base import Strategy
from tradestack.strategy.channel_breakout import ChannelBreakout
from tradestack.strategy.sma_cross import SmaCross

_BUILT_IN: dict[str, type[Strategy]] = {cls.name: cls for cls in (SmaCross, ChannelBreakout)}


def strategy_classes() -> dict[str, type[Strategy]]:
    return dict(_BUILT_IN)


def create_strategy(name: str, params: Mapping[str, Any] | None = None) -> Strategy:
    """Instantiate a strategy by name.

    Raises
    ------
    NotFoundError
        No strategy has that name.
    ValueError
        A parameter is unknown, of the wrong type, out of bounds or inconsistent.
    """
    cls = _BUILT_IN.get(name)
    if cls is None:
        raise NotFoundError(f"unknown strategy {name!r} (available: {', '.join(_BUILT_IN)})")
    return cls(**dict(params or {}))
