"""One symbol's history inside a v2 strategy: its base window, higher timeframes, indicators.

The v2 adapter (``strategy.v2``) keeps one ``SymbolFeed`` per symbol and feeds
it every closed base bar; higher-timeframe windows and their indicators move
only when a higher bar completes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tradestack.domain.market import Bar
from tradestack.domain.timeframes import Timeframe
from tradestack.strategy.history import BarWindow
from tradestack.strategy.indicators import Indicator, IndicatorState
from tradestack.strategy.resample import Resampler


class SymbolFeed:
    """Windows and indicators of one symbol, keyed by timeframe label (``None`` is the base)."""

    __slots__ = ("_indicators", "_resamplers", "base", "completed", "windows")

    def __init__(
        self,
        base: Timeframe,
        window: int,
        higher: Sequence[str],
        indicators: Sequence[Indicator],
    ) -> None:
        self.base = base
        self.windows: dict[str | None, BarWindow] = {None: BarWindow(window)}
        self._resamplers: dict[str, Resampler] = {}
        for label in higher:
            self._resamplers[label] = Resampler(base, Timeframe.parse(label))
            self.windows[label] = BarWindow(window)
        self._indicators: dict[str | None, list[IndicatorState]] = {k: [] for k in self.windows}
        for declared in indicators:
            key = declared.timeframe
            if key == base.label:
                key = None
            if key not in self.windows:
                raise ValueError(
                    f"indicator {declared.name} uses timeframe {declared.timeframe}, which the "
                    f"strategy does not declare (declared: {', '.join(higher) or 'none'})"
                )
            self._indicators[key].append(IndicatorState(declared, window))
        self.completed: set[str] = set()

    def add(self, bar: Bar) -> None:
        """Append a closed base bar, and every higher bar it completes."""
        self._append(None, bar)
        self.completed.clear()
        for label, resampler in self._resamplers.items():
            higher = resampler.add(bar)
            if higher is not None:
                self._append(label, higher)
                self.completed.add(label)

    def _append(self, key: str | None, bar: Bar) -> None:
        window = self.windows[key]
        window.append(bar)
        for state in self._indicators[key]:
            state.update(window)

    def indicator(self, name: str) -> np.ndarray:
        for states in self._indicators.values():
            for state in states:
                if name in state.outputs:
                    return state.outputs[name].view()
        known = [k for states in self._indicators.values() for s in states for k in s.keys]
        raise KeyError(f"no indicator {name!r} (declared: {', '.join(known) or 'none'})")
