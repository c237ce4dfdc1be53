"""BacktestResult: what either engine returns, one shape for metrics, reports and compare."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from tradestack.backtest.config import BacktestConfig
from tradestack.backtest.series import BarSeries
from tradestack.backtest.trades import Trade, TradeArrays


@dataclass(slots=True)
class BacktestResult:
    """Equity and position per bar (from the first traded bar), trades, costs and timings.

    ``equity`` is marked at each bar's close in floats (for metrics and charts);
    ``final_equity`` and ``fees`` are exact where the engine is exact (the
    event-driven engine's Decimal portfolio).
    """

    engine: str
    config: BacktestConfig
    series: BarSeries
    equity: np.ndarray
    position: np.ndarray
    trade_arrays: TradeArrays
    final_equity: Decimal
    fees: Decimal
    elapsed_s: float
    compile_s: float = 0.0
    _trades: list[Trade] | None = None
    _trade_factory: Callable[[], list[Trade]] | None = field(default=None, repr=False)

    @property
    def trades(self) -> list[Trade]:
        """Trade records; the vectorised engine builds them only when asked."""
        if self._trades is None:
            assert self._trade_factory is not None
            self._trades = self._trade_factory()
        return self._trades

    @property
    def traded(self) -> BarSeries:
        """The bars the run traded on (after any warm-up)."""
        start = self.config.warmup_bars
        return self.series.window(start, len(self.series))

    @property
    def bars(self) -> int:
        return len(self.equity)
