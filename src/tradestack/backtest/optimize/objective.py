"""Objectives by name: which metric to optimise and in which direction."""

from __future__ import annotations

import math
from dataclasses import dataclass

from tradestack.backtest.metrics import Metrics
from tradestack.errors import ConfigError


@dataclass(frozen=True, slots=True)
class Objective:
    name: str
    metric: str
    maximize: bool

    def score(self, metrics: Metrics) -> float:
        """The metric's value; NaN (no trades, no variance) scores worst."""
        value = float(getattr(metrics, self.metric))
        if math.isnan(value):
            return -math.inf if self.maximize else math.inf
        return value

    @property
    def direction(self) -> str:
        return "maximize" if self.maximize else "minimize"


OBJECTIVES = {
    o.name: o
    for o in (
        Objective("sharpe", "sharpe", True),
        Objective("sortino", "sortino", True),
        Objective("calmar", "calmar", True),
        Objective("return", "total_return_pct", True),
        Objective("cagr", "cagr_pct", True),
        Objective("final_equity", "final_equity", True),
        Objective("profit_factor", "profit_factor", True),
        Objective("win_rate", "win_rate_pct", True),
        Objective("expectancy", "expectancy", True),
        Objective("max_drawdown", "max_drawdown_pct", True),  # negative %: higher is shallower
    )
}


def objective_named(name: str) -> Objective:
    objective = OBJECTIVES.get(name)
    if objective is None:
        raise ConfigError(f"unknown objective {name!r} (choose from {', '.join(OBJECTIVES)})")
    return objective
