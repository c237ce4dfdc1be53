"""TraderContext: the synchronous core of one trader, shared by live, paper and backtests.

``on_bar`` runs bar -> venue fills -> portfolio -> strategy -> sizing -> risk ->
order manager -> venue, and returns a ``TraderStep`` listing everything that
changed, so the async runner can persist and publish it in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

import msgspec

from tradestack.domain.enums import OrderSide, OrderStatus, SignalSide
from tradestack.domain.market import Bar
from tradestack.domain.orders import Fill, Order
from tradestack.domain.positions import Position
from tradestack.domain.signals import Signal
from tradestack.execution.order_manager import OrderChange, OrderManager
from tradestack.execution.venues.port import Venue
from tradestack.portfolio.ledger import Portfolio
from tradestack.risk.rules import RiskDecision, RiskLimits, check_order
from tradestack.strategy.base import Strategy


@dataclass(frozen=True, slots=True)
class Sizing:
    """All-in sizing: spend ``allocation`` of cash, rounded down to ``lot_size`` after fees.

    With ``at_fill_price`` an all-in order still working when the next bar opens
    is re-sized at that bar's open, the price the paper venue fills it at, so a
    gap up does not turn an all-in entry into an insufficient-funds rejection.
    Only for venues that fill at the next bar's open (paper, backtests).
    """

    allocation: Decimal
    lot_size: Decimal
    fee_rate: Decimal
    at_fill_price: bool = False


@dataclass(slots=True)
class TraderStep:
    """What one bar changed for one trader."""

    bar: Bar
    signals: list[Signal] = field(default_factory=list)
    fills: list[Fill] = field(default_factory=list)
    order_changes: list[OrderChange] = field(default_factory=list)
    positions: list[Position] = field(default_factory=list)
    risk_rejections: list[tuple[Order, RiskDecision]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.signals or self.fills or self.order_changes)


class TraderContext:
    def __init__(
        self,
        *,
        trader_id: str,
        strategy: Strategy,
        portfolio: Portfolio,
        venue: Venue,
        risk_limits: RiskLimits,
        sizing: Sizing,
    ) -> None:
        self.trader_id = trader_id
        self.strategy = strategy
        self.portfolio = portfolio
        self.venue = venue
        self.risk_limits = risk_limits
        self.sizing = sizing
        self.orders = OrderManager(trader_id)
        self.bars_processed = 0
        self.last_price: Decimal | None = None
        self._all_in: dict[str, SignalSide] = {}

    def position_quantity(self, symbol: str) -> Decimal:
        return self.portfolio.quantity(symbol)

    def warm_up(self, bars: list[Bar]) -> None:
        """Feed history to the strategy without trading, so its indicators are ready."""
        for bar in bars:
            self.strategy.on_bar(bar, self)
        if bars:
            self.last_price = Decimal(repr(bars[-1].close))
            self.portfolio.mark(bars[-1].symbol, self.last_price)

    def on_bar(self, bar: Bar) -> TraderStep:
        step = TraderStep(bar)
        self.bars_processed += 1
        if self._all_in:
            self._resize_at_open(bar, step)
        self._settle(bar, step)
        price = Decimal(repr(bar.close))
        self.last_price = price
        self.portfolio.mark(bar.symbol, price, bar.ts)
        for signal in self.strategy.on_bar(bar, self):
            step.signals.append(signal)
            self._act_on(signal, price, step)
        if self.orders.changes:
            step.order_changes = self.orders.drain_changes()
        return step

    def close_positions(self, bar: Bar) -> TraderStep:
        """Cancel working orders and close every position at ``bar``'s close (a backtest's end).

        The closing orders go through the same order manager, risk check and
        venue as any other; the venue fills them at the close because it is
        shown a copy of ``bar`` that opens at its close.
        """
        step = TraderStep(bar)
        for order in self.orders.open_orders():
            self.venue.cancel(order.client_order_id)
            self.orders.transition(order, OrderStatus.CANCELED, bar.ts, "backtest ended")
        self._all_in.clear()
        price = Decimal(repr(bar.close))
        for position in self.portfolio.open_positions:
            signal = Signal(
                symbol=position.symbol,
                side=SignalSide.CLOSE,
                confidence=1.0,
                strategy=self.strategy.name,
                trader_id=self.trader_id,
                ts=bar.ts,
                price=bar.close,
            )
            self._act_on(signal, price, step)
        self._settle(msgspec.structs.replace(bar, open=bar.close), step)
        self.portfolio.mark(bar.symbol, price, bar.ts)
        if self.orders.changes:
            step.order_changes = self.orders.drain_changes()
        return step

    def _settle(self, bar: Bar, step: TraderStep) -> None:
        fills, rejections = self.venue.on_bar(bar)
        for fill in fills:
            self.orders.apply_fill(fill)
            step.positions.append(self.portfolio.apply_fill(fill))
            step.fills.append(fill)
        for rejection in rejections:
            order = self.orders.orders[rejection.client_order_id]
            self.orders.transition(order, OrderStatus.REJECTED, bar.ts, rejection.reason)

    def _resize_at_open(self, bar: Bar, step: TraderStep) -> None:
        """Re-size working all-in orders at ``bar``'s open, where the paper venue fills them."""
        price = Decimal(repr(bar.open))
        for client_order_id, signal_side in list(self._all_in.items()):
            order = self.orders.orders.get(client_order_id)
            if order is not None and order.symbol != bar.symbol:
                continue  # it fills on a bar of its own symbol
            del self._all_in[client_order_id]
            if order is None:
                continue  # no longer working
            quantity, _side = self._quantity_for(signal_side, order.symbol, price)
            if quantity <= 0:
                self.venue.cancel(client_order_id)
                self.orders.transition(
                    order, OrderStatus.CANCELED, bar.ts, "nothing affordable at the fill price"
                )
                continue
            order.quantity = quantity
            decision = check_order(
                order, portfolio=self.portfolio, price=price, limits=self.risk_limits
            )
            if not decision.approved:
                self.venue.cancel(client_order_id)
                self.orders.transition(order, OrderStatus.REJECTED, bar.ts, decision.reason)
                step.risk_rejections.append((order, decision))

    def _act_on(self, signal: Signal, price: Decimal, step: TraderStep) -> None:
        if self.orders.open_orders(signal.symbol):
            return
        order = self._order_for(signal, price)
        if order is None:
            return
        decision = check_order(
            order, portfolio=self.portfolio, price=price, limits=self.risk_limits
        )
        if not decision.approved:
            self.orders.transition(order, OrderStatus.REJECTED, signal.ts, decision.reason)
            step.risk_rejections.append((order, decision))
            return
        result = self.venue.submit(order)
        if result.accepted:
            order.venue_order_id = result.venue_order_id
            self.orders.transition(order, OrderStatus.SUBMITTED, signal.ts)
            if self.sizing.at_fill_price and signal.side is not SignalSide.CLOSE:
                self._all_in[order.client_order_id] = signal.side
        else:
            self.orders.transition(order, OrderStatus.REJECTED, signal.ts, result.reason)

    def _order_for(self, signal: Signal, price: Decimal) -> Order | None:
        """Turn a signal into an order: close what is held against it, then open all-in."""
        quantity, side = self._quantity_for(signal.side, signal.symbol, price)
        if quantity <= 0:
            return None
        return self.orders.create(symbol=signal.symbol, side=side, quantity=quantity, ts=signal.ts)

    def _quantity_for(
        self, signal_side: SignalSide, symbol: str, price: Decimal
    ) -> tuple[Decimal, OrderSide]:
        held = self.portfolio.quantity(symbol)
        if signal_side is SignalSide.CLOSE:
            return abs(held), OrderSide.SELL if held > 0 else OrderSide.BUY
        if signal_side is SignalSide.BUY:
            quantity = -held + self._affordable(held, price) if held <= 0 else Decimal(0)
            return quantity, OrderSide.BUY
        quantity = max(held, Decimal(0))
        if self.strategy.allow_short and held >= 0:
            quantity += self._affordable(held, price)
        return quantity, OrderSide.SELL

    def _affordable(self, held: Decimal, price: Decimal) -> Decimal:
        """Units the equity left after closing ``held`` buys, fees included, in whole lots."""
        budget = (self.portfolio.cash + held * price) * self.sizing.allocation
        units = budget / (price * (1 + self.sizing.fee_rate))
        lots = (units / self.sizing.lot_size).to_integral_value(ROUND_DOWN)
        return max(Decimal(0), lots * self.sizing.lot_size)
