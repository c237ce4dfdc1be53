"""TraderContext: the synchronous core of one trader, shared by live, paper and backtests.

``on_bar`` runs bar -> venue fills -> portfolio -> strategy -> sizing -> risk ->
order manager -> venue, and returns a ``TraderStep`` listing everything that
changed, so the async runner can persist and publish it in one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import ROUND_DOWN, Decimal

import msgspec

from tradestack.domain.commands import SubmitOrder
from tradestack.domain.enums import OrderSide, OrderStatus, SignalSide
from tradestack.domain.instruments import Instrument
from tradestack.domain.market import Bar
from tradestack.domain.orders import Order
from tradestack.domain.signals import Signal
from tradestack.errors import ConflictError
from tradestack.execution.order_manager import OrderManager
from tradestack.execution.venues.port import NO_UPDATE, Venue, VenueUpdate
from tradestack.portfolio.ledger import Portfolio
from tradestack.risk.account import AccountGuard
from tradestack.risk.engine import RiskEngine
from tradestack.risk.rules import RiskDecision, RiskLimits
from tradestack.strategy.base import Strategy
from tradestack.traders import intents
from tradestack.traders.brackets import attach_bracket
from tradestack.traders.step import Sizing, TraderStep

__all__ = ["Sizing", "TraderContext", "TraderStep"]


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
        account_guard: AccountGuard | None = None,
        instrument: Instrument | None = None,
    ) -> None:
        """``instrument``: the grid of the trader's symbol (from the instrument registry).

        With one, orders are sized in its lots and refused below its lot size
        or minimum notional; without one, the sizing lot and 8-decimal prices.
        """
        self.trader_id = trader_id
        self.strategy = strategy
        self.portfolio = portfolio
        self.venue = venue
        self.risk_limits = risk_limits
        self.risk = RiskEngine(risk_limits, portfolio, account=account_guard)
        self.sizing = sizing
        self.orders = OrderManager(trader_id)
        self.bars_processed = 0
        self.instrument = instrument
        self._instruments: dict[str, Instrument] = {}
        self._last_close: float | None = None
        self._last_symbol = instrument.symbol if instrument is not None else ""
        self._all_in: dict[str, SignalSide] = {}
        lot = sizing.lot_size
        if instrument is not None and lot % instrument.lot_size != 0:
            lot = instrument.lot_size  # the sizing lot is off the instrument's grid
        self._lot = lot
        self._to_price = self.instrument_of(self._last_symbol).price
        self._tracks_equity = self.risk.tracks_equity

    @property
    def last_price(self) -> Decimal | None:
        """The newest close seen, as Decimal (made on demand: most bars never need it)."""
        if self._last_close is None:
            return None
        return self._to_price(self._last_close)

    def instrument_of(self, symbol: str) -> Instrument:
        """The trader's instrument, or the default grid (sizing lot) for another symbol."""
        instrument = self.instrument
        if instrument is not None and instrument.symbol == symbol:
            return instrument
        known = self._instruments.get(symbol)
        if known is None:
            known = self._instruments[symbol] = Instrument.of(symbol, lot_size=self.sizing.lot_size)
        return known

    def position_quantity(self, symbol: str) -> Decimal:
        return self.portfolio.quantity(symbol)

    def warm_up(self, bars: list[Bar]) -> None:
        """Feed history to the strategy without trading, so its indicators are ready."""
        for bar in bars:
            self.strategy.on_bar(bar, self)
        if bars:
            last = bars[-1]
            self._last_close, self._last_symbol = last.close, last.symbol
            self._to_price = self.instrument_of(last.symbol).price
            self.portfolio.mark_close(
                last.symbol, last.close, None, self.instrument_of(last.symbol).price
            )

    def on_bar(self, bar: Bar) -> TraderStep:
        """Settle the venue, ask the strategy, act on its signals: one bar, in that order."""
        step = self.settle(bar)
        return self.act(step, self.strategy.on_bar(bar, self))

    def settle(self, bar: Bar) -> TraderStep:
        """Let the venue trade working orders on ``bar``, then mark the portfolio at its close.

        The services shape calls ``settle`` and ``act`` apart: the strategy runs
        in another process and its signals for this bar arrive by event.
        """
        step = TraderStep(bar)
        self.bars_processed += 1
        if self._all_in:
            self._resize_at_open(bar, step)
        update = self.venue.on_bar(bar)
        if update is not NO_UPDATE and update:
            self._apply(update, step, bar)
        symbol = bar.symbol
        self._last_close = bar.close
        if symbol != self._last_symbol:
            self._last_symbol = symbol
            self._to_price = self.instrument_of(symbol).price
        portfolio = self.portfolio
        if portfolio.holds_any:  # marked when read, not here (see Portfolio.mark_close)
            portfolio.mark_close(symbol, bar.close, bar.ts, self._to_price)
            if step.positions:
                portfolio.flush_marks()  # positions in this step are persisted marked
        if self._tracks_equity:
            risk = self.risk
            if risk.halted is None:
                step.halted = risk.on_equity(portfolio.equity, bar.ts)
        return step

    def act(self, step: TraderStep, signals: Sequence[Signal]) -> TraderStep:
        """Turn the strategy's signals for ``step.bar`` into risk-checked orders."""
        if signals:
            last = self.last_price
            price = last if last is not None else Decimal(0)
            for signal in signals:
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
        price = self.instrument_of(bar.symbol).price(bar.close)
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
        at_close = msgspec.structs.replace(bar, open=bar.close)
        update = self.venue.on_bar(at_close)
        if update:
            self._apply(update, step, at_close)
        self.portfolio.mark(bar.symbol, price, bar.ts)
        if self.orders.changes:
            step.order_changes = self.orders.drain_changes()
        return step

    def _resize_at_open(self, bar: Bar, step: TraderStep) -> None:
        """Re-size working all-in orders at ``bar``'s open, where the paper venue fills them."""
        price = self.instrument_of(bar.symbol).price(bar.open)
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
            decision = self.risk.check(order, price=price)
            if not decision.approved:
                self.venue.cancel(client_order_id)
                self.orders.transition(order, OrderStatus.REJECTED, bar.ts, decision.reason)
                step.risk_rejections.append((order, decision))

    def _apply(self, update: VenueUpdate, step: TraderStep, bar: Bar) -> None:
        """Apply what the venue did: activations, fills, then orders it ended."""
        orders = self.orders
        for client_order_id in update.activations:
            leg = orders.orders.get(client_order_id)
            if leg is not None:
                orders.transition(leg, OrderStatus.SUBMITTED, bar.ts)
        for fill in update.fills:
            orders.apply_fill(fill)
            position = self.portfolio.apply_fill(fill)
            step.positions.append(position)
            step.fills.append(fill)
            if self.risk.account is not None:
                self.risk.account.release(
                    self.trader_id,
                    fill.symbol,
                    abs(self.portfolio.quantity(fill.symbol)) * fill.price,
                )
        for notices, status in (
            (update.rejections, OrderStatus.REJECTED),
            (update.expirations, OrderStatus.EXPIRED),
            (update.cancellations, OrderStatus.CANCELED),
        ):
            for notice in notices:
                order = orders.orders.get(notice.client_order_id)
                if order is None:
                    continue
                if status is OrderStatus.REJECTED and order.status is OrderStatus.PARTIALLY_FILLED:
                    # The fills stand; the venue refused only the rest, so the rest is canceled.
                    orders.transition(order, OrderStatus.CANCELED, bar.ts, notice.reason)
                else:
                    orders.transition(order, status, bar.ts, notice.reason)
        step.amended.extend(update.amended)

    def _act_on(self, signal: Signal, price: Decimal, step: TraderStep) -> None:
        working = self.orders.open_orders(signal.symbol) if self.orders.orders else ()
        if any(not o.reduce_only for o in working):
            return  # an entry is still working: wait for it
        for protective in working:  # bracket legs give way to the strategy's new decision
            self.venue.cancel(protective.client_order_id)
            self.orders.transition(
                protective, OrderStatus.CANCELED, signal.ts, "replaced by a new signal"
            )
        intent = signal.has_intent  # v2 order intents: traders/intents.py
        order = intents.order_for_intent(self, signal, price) if intent else None
        if not intent:
            order = self._order_for(signal, price)
        if order is None:
            return
        order.trace_id = step.trace_id
        decision = self._grid_check(order, price)
        if decision is None:
            decision = self.risk.check(order, price=price, confidence=signal.confidence)
        if not decision.approved:
            self.orders.transition(order, OrderStatus.REJECTED, signal.ts, decision.reason)
            step.risk_rejections.append((order, decision))
            return
        if not self.send(order, signal.ts):
            return
        all_in = not intent or intents.sized_all_in(signal)
        if self.sizing.at_fill_price and signal.side is not SignalSide.CLOSE and all_in:
            self._all_in[order.client_order_id] = signal.side
        if signal.stop_loss is not None or signal.take_profit is not None:
            self._attach_bracket(order, signal)
        if intent and signal.trailing_stop_percent is not None:
            intents.attach_trailing(self, order, signal)

    def place(self, command: SubmitOrder, ts: datetime) -> tuple[Order, RiskDecision]:
        """Create an order asked for from outside the strategy, risk-check it and send it.

        The risk check uses the last close (the order's own price before the
        first bar). A refused order is recorded REJECTED with the reason.
        """
        price = self.last_price or command.price or command.stop_price
        if price is None:
            raise ConflictError(f"trader {self.trader_id} has seen no price yet; try again")
        order = self.orders.create(
            symbol=command.symbol,
            side=command.side,
            quantity=command.quantity,
            ts=ts,
            order_type=command.type,
            price=command.price,
            stop_price=command.stop_price,
            trailing_amount=command.trailing_amount,
            trailing_percent=command.trailing_percent,
            time_in_force=command.time_in_force,
            reduce_only=command.reduce_only,
            post_only=command.post_only,
            position_side=command.position_side,
        )
        decision = self._grid_check(order, price) or self.risk.check(order, price=price)
        if not decision.approved:
            self.orders.transition(order, OrderStatus.REJECTED, ts, decision.reason)
        else:
            self.send(order, ts)
        return order, decision

    def _grid_check(self, order: Order, price: Decimal) -> RiskDecision | None:
        """Refuse an order that adds exposure below the instrument's lot or minimum notional.

        Only with an instrument from the registry; closing orders always pass,
        so no rule of ours can strand a position.
        """
        if self.instrument is None or order.reduce_only:
            return None
        held = self.portfolio.quantity(order.symbol)
        after = held + order.quantity * order.side.sign
        if abs(after) <= abs(held) and (after == 0 or (after > 0) == (held > 0)):
            return None
        problem = self.instrument_of(order.symbol).order_problem(
            order.quantity, order.price or order.stop_price or price
        )
        return RiskDecision(False, "instrument", problem) if problem else None

    def cancel(self, client_order_id: str, ts: datetime, reason: str) -> Order:
        """Cancel one working order (and bracket legs waiting for it) and record it CANCELED."""
        order = self.orders.orders[client_order_id]
        legs = [o for o in self.orders.open_orders() if o.parent_order_id == client_order_id]
        for victim in (order, *legs):
            self.venue.cancel(victim.client_order_id)
            self.orders.transition(victim, OrderStatus.CANCELED, ts, reason)
        return order

    def send(self, order: Order, ts: datetime) -> bool:
        """Submit ``order`` to the venue and record SUBMITTED or REJECTED with the reason."""
        result = self.venue.submit(order)
        if result.pending:
            return True  # a live venue sends it after the bar (see traders.live_runner)
        if result.accepted:
            order.venue_order_id = result.venue_order_id
            self.orders.transition(order, OrderStatus.SUBMITTED, ts)
            return True
        self.orders.transition(order, OrderStatus.REJECTED, ts, result.reason)
        return False

    def _attach_bracket(self, entry: Order, signal: Signal) -> None:
        attach_bracket(
            self.orders, self.venue, self.instrument_of(entry.symbol).price, entry, signal
        )

    def _order_for(self, signal: Signal, price: Decimal) -> Order | None:
        """Turn a signal into an order: close what is held against it, then open a new position."""
        quantity, side = self._quantity_for(signal.side, signal.symbol, price, signal.stop_loss)
        if quantity <= 0:
            return None
        return self.orders.create(symbol=signal.symbol, side=side, quantity=quantity, ts=signal.ts)

    def _quantity_for(
        self,
        signal_side: SignalSide,
        symbol: str,
        price: Decimal,
        stop_loss: float | None = None,
    ) -> tuple[Decimal, OrderSide]:
        held = self.portfolio.quantity(symbol)
        if signal_side is SignalSide.CLOSE:
            return abs(held), OrderSide.SELL if held > 0 else OrderSide.BUY
        if signal_side is SignalSide.BUY:
            if held > 0:
                return Decimal(0), OrderSide.BUY
            return -held + self._entry_size(stop_loss, held, price), OrderSide.BUY
        quantity = max(held, Decimal(0))
        if self.strategy.allow_short and held >= 0:
            quantity += self._entry_size(stop_loss, held, price)
        return quantity, OrderSide.SELL

    def _entry_size(self, stop_loss: float | None, held: Decimal, price: Decimal) -> Decimal:
        """All-in by default; with ``risk_per_trade_pct`` and a stop, risk that share of equity."""
        affordable = self._affordable(held, price)
        percent = self.risk_limits.risk_per_trade_pct
        if percent is None or stop_loss is None:
            return affordable
        distance = abs(price - self.instrument_of(self._last_symbol).price(stop_loss))
        if distance == 0:
            return Decimal(0)
        budget = self.portfolio.equity * percent / Decimal(100)
        lots = (budget / distance / self._lot).to_integral_value(ROUND_DOWN)
        return min(affordable, lots * self._lot)

    def _affordable(self, held: Decimal, price: Decimal) -> Decimal:
        """Units the equity left after closing ``held`` buys, fees included, in whole lots."""
        budget = (self.portfolio.cash + held * price) * self.sizing.allocation
        units = budget / (price * (1 + self.sizing.fee_rate))
        lots = (units / self._lot).to_integral_value(ROUND_DOWN)
        return max(Decimal(0), lots * self._lot)
