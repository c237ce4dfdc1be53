"""The two stages of a trader: StrategyStage (signals) and ExecutionStage (everything after).

The ExecutionStage is ``traders.context.TraderContext``: risk, order manager,
venue, bracket/OCO emulation and portfolio. One bar always runs
``execution.settle(bar)`` -> ``strategy.observe_step(...)`` ->
``strategy.evaluate(bar)`` -> ``execution.act(step, signals)``, so a strategy
sees the positions after the bar's fills. In one process the stages call each
other directly; in the services shape exec-risk runs the ExecutionStage and
the strategy service the StrategyStage, joined by ``BarSettled`` and
``StrategyEvaluated`` messages.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from tradestack.domain.market import Bar
from tradestack.domain.orders import Fill, Order
from tradestack.domain.positions import Position
from tradestack.domain.signals import Signal
from tradestack.execution.order_manager import OrderChange
from tradestack.strategy.base import Strategy, StrategyContext
from tradestack.traders.context import TraderContext
from tradestack.traders.step import TraderStep

ExecutionStage = TraderContext

__all__ = ["ExecutionStage", "PositionBook", "StrategyStage"]


class PositionBook:
    """A read-only picture of one trader for a strategy running apart from its portfolio.

    The strategy service keeps one per trader, updated from each ``BarSettled``
    message, so the strategy there sees what it would see in one process.
    """

    def __init__(
        self, trader_id: str, *, cash: Decimal = Decimal(0), equity: Decimal = Decimal(0)
    ) -> None:
        self._trader_id = trader_id
        self.quantities: dict[str, Decimal] = {}
        self.cash = cash
        self.equity = equity

    @property
    def trader_id(self) -> str:
        return self._trader_id

    def position_quantity(self, symbol: str) -> Decimal:
        return self.quantities.get(symbol, Decimal(0))

    def apply(self, quantities: dict[str, Decimal], cash: Decimal, equity: Decimal) -> None:
        """Take the net quantities per symbol, cash and equity a settlement reported."""
        self.quantities.update(quantities)
        self.cash = cash
        self.equity = equity


class StrategyStage:
    """Drives one trader's strategy: warm-up, evaluation after settlement, and callbacks.

    ``context`` is what the strategy may read (``trader_id``, ``position_quantity``):
    the ExecutionStage itself in one process, a ``PositionBook`` in the strategy
    service. The optional callbacks (``on_order_update``, ``on_fill``,
    ``on_position_changed``) are called when the strategy defines them.
    """

    __slots__ = ("_on_fill", "_on_order", "_on_position", "context", "evaluated", "strategy")

    def __init__(self, strategy: Strategy, context: StrategyContext) -> None:
        self.strategy = strategy
        self.context = context
        self.evaluated = 0
        self._on_order = getattr(strategy, "on_order_update", None)
        self._on_fill = getattr(strategy, "on_fill", None)
        self._on_position = getattr(strategy, "on_position_changed", None)

    @property
    def name(self) -> str:
        return self.strategy.name

    @property
    def warmup_bars(self) -> int:
        return self.strategy.warmup_bars

    def warm_up(self, bars: Sequence[Bar]) -> None:
        """Feed history to the strategy without trading, so its indicators are ready."""
        on_bar, context = self.strategy.on_bar, self.context
        for bar in bars:
            on_bar(bar, context)

    @property
    def observes(self) -> bool:
        """True when the strategy takes any callback, so settlements must be shown to it."""
        return (
            self._on_order is not None or self._on_fill is not None or self._on_position is not None
        )

    def evaluate(self, bar: Bar) -> Sequence[Signal]:
        """Ask the strategy about ``bar``; call only after the bar's fills were settled."""
        self.evaluated += 1
        return self.strategy.on_bar(bar, self.context)

    def observe(
        self, orders: Sequence[Order], fills: Sequence[Fill], positions: Sequence[Position]
    ) -> None:
        """Tell the strategy what the settlement changed: order updates, fills, positions."""
        if self._on_order is not None:
            for order in orders:
                self._on_order(order, self.context)
        if self._on_fill is not None:
            for fill in fills:
                self._on_fill(fill, self.context)
        if self._on_position is not None:
            for position in positions:
                self._on_position(position, self.context)

    def observe_step(self, step: TraderStep, pending: Sequence[OrderChange]) -> None:
        """``observe`` in one process: the settled step and the order changes not yet drained."""
        if self._on_order is None and self._on_fill is None and self._on_position is None:
            return
        self.observe([change.order for change in pending], step.fills, step.positions)
