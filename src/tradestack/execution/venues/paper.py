"""The paper venue: fills market orders at the next bar's open, with a fee, against a cash check.

The rule is conservative and the same in backtests and paper trading: an order
sent after bar t closed can first trade at bar t+1's open, never at a price
already seen.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from decimal import ROUND_HALF_EVEN, Decimal

from tradestack.domain.enums import OrderSide, OrderType
from tradestack.domain.market import Bar
from tradestack.domain.orders import Fill, Order
from tradestack.execution.venues.port import Rejection, SubmitResult

_CENT = Decimal("0.0000000001")


class PaperVenue:
    """Simulated exchange for one account.

    ``cash`` and ``holdings`` are read at fill time: a buy needs the quote
    asset for notional plus fee; a sell needs the base asset unless shorting
    is allowed.
    """

    name = "paper"

    def __init__(
        self,
        *,
        fee_rate: Decimal,
        cash: Callable[[], Decimal],
        holdings: Callable[[str], Decimal],
        allow_short: bool = False,
        quote_asset: str = "USDT",
    ) -> None:
        self.fee_rate = fee_rate
        self._cash = cash
        self._holdings = holdings
        self.allow_short = allow_short
        self.quote_asset = quote_asset
        self._working: dict[str, Order] = {}

    def submit(self, order: Order) -> SubmitResult:
        if order.type is not OrderType.MARKET:
            return SubmitResult(
                False, reason=f"paper venue does not support {order.type} orders yet"
            )
        if order.client_order_id in self._working:
            return SubmitResult(
                True, venue_order_id=self._working[order.client_order_id].venue_order_id
            )
        venue_order_id = f"paper-{uuid.uuid4().hex[:20]}"
        order.venue_order_id = venue_order_id
        self._working[order.client_order_id] = order
        return SubmitResult(True, venue_order_id=venue_order_id)

    def restore(self, order: Order) -> None:
        """Put back a working order after a restart: the paper book lives in storage."""
        self._working[order.client_order_id] = order

    def cancel(self, client_order_id: str) -> bool:
        return self._working.pop(client_order_id, None) is not None

    def working_orders(self) -> list[Order]:
        return list(self._working.values())

    def on_bar(self, bar: Bar) -> tuple[Sequence[Fill], Sequence[Rejection]]:
        if not self._working:
            return (), ()
        fills: list[Fill] = []
        rejections: list[Rejection] = []
        price = Decimal(repr(bar.open))
        for client_order_id, order in list(self._working.items()):
            if order.symbol != bar.symbol:
                continue
            del self._working[client_order_id]
            quantity = order.remaining_quantity
            fee = (quantity * price * self.fee_rate).quantize(_CENT, ROUND_HALF_EVEN)
            problem = self._funds_problem(order, quantity, price, fee)
            if problem:
                rejections.append(Rejection(client_order_id, problem))
                continue
            fills.append(
                Fill(
                    trade_id=f"{order.venue_order_id}-{bar.ts.strftime('%Y%m%dT%H%M%S')}",
                    client_order_id=client_order_id,
                    trader_id=order.trader_id,
                    symbol=order.symbol,
                    side=order.side,
                    quantity=quantity,
                    price=price,
                    fee=fee,
                    fee_asset=self.quote_asset,
                    ts=bar.ts,
                )
            )
        return fills, rejections

    def _funds_problem(
        self, order: Order, quantity: Decimal, price: Decimal, fee: Decimal
    ) -> str | None:
        if order.side is OrderSide.BUY:
            needed = quantity * price + fee
            available = self._cash()
            if needed > available:
                return (
                    f"insufficient funds: need {needed:.2f} {self.quote_asset}, "
                    f"have {available:.2f}"
                )
            return None
        held = self._holdings(order.symbol)
        if not self.allow_short and quantity > held:
            return f"insufficient {order.symbol} to sell: need {quantity}, hold {held}"
        return None
