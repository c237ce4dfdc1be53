"""What a paper account can afford: spot (cash and holdings) or margin (leverage on equity)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from tradestack.domain.enums import OrderSide, PositionSide
from tradestack.domain.orders import Fill, Order
from tradestack.execution.venues.paper.config import ZERO, PaperConfig


class PaperAccount:
    """Reads the trader's portfolio through callables, so the venue never owns balances.

    ``holdings(symbol)`` is the net position; in hedge mode the venue asks
    ``holdings(symbol, PositionSide.LONG|SHORT)``. Fills made earlier in the
    same bar are not in the portfolio yet, so they are added here: a stop leg
    can close the entry it belongs to, and two buys cannot spend the same cash.
    """

    def __init__(
        self,
        *,
        config: PaperConfig,
        cash: Callable[[], Decimal],
        holdings: Callable[..., Decimal],
        allow_short: bool,
        equity: Callable[[], Decimal] | None,
        gross_exposure: Callable[[], Decimal] | None,
    ) -> None:
        self.config = config
        self._cash = cash
        self.holdings = holdings
        self._cash_delta = ZERO
        self._fees_delta = ZERO
        self._notional_delta = ZERO
        self._position_delta: dict[tuple[str, PositionSide], Decimal] = {}
        self.allow_short = allow_short or config.account_type == "margin"
        self._equity = equity
        self.gross_exposure = gross_exposure or (lambda: ZERO)

    def begin_bar(self) -> None:
        self._cash_delta = self._fees_delta = self._notional_delta = ZERO
        self._position_delta.clear()

    def record(self, fill: Fill) -> None:
        signed = fill.quantity if fill.side is OrderSide.BUY else -fill.quantity
        key = (fill.symbol, fill.position_side)
        self._position_delta[key] = self._position_delta.get(key, ZERO) + signed
        self._cash_delta -= signed * fill.price + fill.fee
        self._fees_delta += fill.fee
        self._notional_delta += fill.quantity * fill.price

    def cash(self) -> Decimal:
        return self._cash() + self._cash_delta

    def position(self, order: Order) -> Decimal:
        delta = self._position_delta.get((order.symbol, order.position_side), ZERO)
        if order.position_side is PositionSide.BOTH:
            return self.holdings(order.symbol) + delta
        return self.holdings(order.symbol, order.position_side) + delta

    def reducible(self, order: Order) -> Decimal:
        """How much of ``order`` only reduces the position it is aimed at."""
        held = self.position(order)
        if order.side is OrderSide.SELL:
            return max(held, ZERO)
        return max(-held, ZERO)

    def funds_problem(
        self, order: Order, quantity: Decimal, price: Decimal, fee: Decimal, quote: str
    ) -> str | None:
        if self.config.account_type == "margin":
            return self._margin_problem(order, quantity, price, fee, quote)
        if order.side is OrderSide.BUY:
            needed = quantity * price + fee
            available = self.cash()
            if needed > available:
                return f"insufficient funds: need {needed:.2f} {quote}, have {available:.2f}"
            return None
        held = self.position(order)
        if not self.allow_short and quantity > held:
            return f"insufficient {order.symbol} to sell: need {quantity}, hold {held}"
        return None

    def _margin_problem(
        self, order: Order, quantity: Decimal, price: Decimal, fee: Decimal, quote: str
    ) -> str | None:
        opening = max(quantity - self.reducible(order), ZERO)
        if opening == 0:
            return None
        leverage = self.config.leverage
        required = opening * price / leverage + fee
        equity = self._equity() if self._equity is not None else self._cash()
        # Fills earlier in this bar: equity lost their fees; margin is held on their notional.
        free = equity - self._fees_delta - (self.gross_exposure() + self._notional_delta) / leverage
        if required > free:
            return (
                f"insufficient margin: need {required:.2f} {quote} at {leverage}x, free {free:.2f}"
            )
        return None
