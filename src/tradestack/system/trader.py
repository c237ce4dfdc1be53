"""Trader: the two stages of one trader, wired, and the order one bar runs through them."""

from __future__ import annotations

from dataclasses import dataclass

from tradestack.domain.market import Bar
from tradestack.system.modes import Mode
from tradestack.system.stages import ExecutionStage, StrategyStage
from tradestack.traders.spec import TraderSpec
from tradestack.traders.step import TraderStep


@dataclass(slots=True)
class Trader:
    """One trader's stages; ``strategy`` reads ``execution`` through its context in one process."""

    spec: TraderSpec
    mode: Mode
    execution: ExecutionStage
    strategy: StrategyStage

    @property
    def trader_id(self) -> str:
        return self.spec.trader_id

    def warm_up(self, bars: list[Bar]) -> None:
        """Prime the strategy on history and mark the portfolio at the last close.

        The ExecutionStage feeds the bars to the same strategy object with itself
        as the context, exactly what ``StrategyStage.warm_up`` does with its context.
        """
        self.execution.warm_up(bars)

    def on_bar(self, bar: Bar) -> TraderStep:
        """Settle the bar's fills, show them to the strategy, evaluate it, act on its signals."""
        execution = self.execution
        step = execution.settle(bar)
        self.strategy.observe_step(step, execution.orders.changes)
        return execution.act(step, self.strategy.evaluate(bar))
