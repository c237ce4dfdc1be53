"""PaperVenue: working orders matched bar by bar (see ``matching`` for the price rules).

An order sent after bar t closed first trades on bar t+1, never at a price
already seen. Bracket legs (``parent_order_id``) wait until their entry has
filled; in the entry's own bar only their stop can trigger (worst case first).
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from decimal import ROUND_DOWN, Decimal

from tradestack.domain.enums import OrderSide, OrderType, PositionSide, TimeInForce
from tradestack.domain.instruments import Instrument, default_instrument
from tradestack.domain.market import Bar
from tradestack.domain.orders import Fill, Order
from tradestack.execution.venues.paper import matching
from tradestack.execution.venues.paper.account import PaperAccount
from tradestack.execution.venues.paper.config import PaperConfig
from tradestack.execution.venues.paper.matching import BarPrices, Match
from tradestack.execution.venues.port import NO_UPDATE, OrderNotice, SubmitResult, VenueUpdate

_QUANTUM = Decimal("0.0000000001")
_SESSION = uuid.uuid4().hex[:12]
_sequence = itertools.count(1)
_PROFIT_TAKING = frozenset({OrderType.LIMIT, OrderType.MARKET})


class PaperVenue:
    name = "paper"

    def __init__(
        self,
        *,
        fee_rate: Decimal | None = None,
        cash: Callable[[], Decimal],
        holdings: Callable[..., Decimal],
        allow_short: bool = False,
        quote_asset: str = "USDT",
        config: PaperConfig | None = None,
        equity: Callable[[], Decimal] | None = None,
        gross_exposure: Callable[[], Decimal] | None = None,
        instrument: Instrument | None = None,
    ) -> None:
        """``instrument``: refuse orders off its lot grid or below its minimums, and put
        prices on its precision; without one, 8-decimal prices and no size rules."""
        base = config or PaperConfig()
        if fee_rate is not None and config is None:
            base = PaperConfig(taker_fee_rate=fee_rate)
        self.config = base
        self.quote_asset = quote_asset
        self.account = PaperAccount(
            config=base,
            cash=cash,
            holdings=holdings,
            allow_short=allow_short,
            equity=equity,
            gross_exposure=gross_exposure,
        )
        self._working: dict[str, Order] = {}
        self._triggered: set[str] = set()
        self._anchors: dict[str, Decimal] = {}
        self._active_legs: set[str] = set()
        self._last_close: dict[str, float] = {}
        self.instrument = instrument
        self._instruments: dict[str, Instrument] = {}

    @property
    def fee_rate(self) -> Decimal:
        return self.config.taker_fee_rate

    def submit(self, order: Order) -> SubmitResult:
        existing = self._working.get(order.client_order_id)
        if existing is not None:  # a retry of the same order: never a second one
            return SubmitResult(True, venue_order_id=existing.venue_order_id)
        problem = self._invalid(order)
        if problem:
            return SubmitResult(False, reason=problem)
        order.venue_order_id = f"paper-{_SESSION}{next(_sequence):x}"
        self._working[order.client_order_id] = order
        if order.type is OrderType.TRAILING_STOP:
            self._start_trailing(order)
        return SubmitResult(True, venue_order_id=order.venue_order_id)

    def restore(self, order: Order) -> None:
        """Put back a working order after a restart: the paper book lives in storage."""
        self._working[order.client_order_id] = order
        if order.type is OrderType.TRAILING_STOP and order.stop_price is not None:
            self._anchors[order.client_order_id] = matching.anchor_of(order, order.stop_price)
        if order.parent_order_id is not None and order.parent_order_id not in self._working:
            self._active_legs.add(order.client_order_id)

    def cancel(self, client_order_id: str) -> bool:
        order = self._working.pop(client_order_id, None)
        self._forget(client_order_id)
        return order is not None

    def working_orders(self) -> list[Order]:
        return list(self._working.values())

    def instrument_of(self, symbol: str) -> Instrument:
        instrument = self.instrument
        if instrument is not None and instrument.symbol == symbol:
            return instrument
        known = self._instruments.get(symbol)
        if known is None:
            known = self._instruments[symbol] = default_instrument(symbol)
        return known

    def on_bar(self, bar: Bar) -> VenueUpdate:
        symbol = bar.symbol
        self._last_close[symbol] = bar.close
        if not self._working:
            return NO_UPDATE  # the common case: nothing to match, nothing converted
        working = [o for o in self._working.values() if o.symbol == symbol]
        if not working:
            return NO_UPDATE
        update = VenueUpdate()
        self.account.begin_bar()
        prices = BarPrices(bar, self.instrument_of(symbol).price)
        finished_now: set[str] = set()
        for order in working:
            cid = order.client_order_id
            if cid not in self._working:
                continue  # dropped earlier in this bar (the other leg of a pair filled)
            parent = order.parent_order_id
            if parent is not None:
                if parent in self._working:
                    continue  # the entry still works: the leg stays dormant
                if cid not in self._active_legs:
                    self._active_legs.add(cid)
                    update.activations.append(cid)
                if parent in finished_now and order.type in _PROFIT_TAKING:
                    continue  # entry bar: only a stop leg may trade (worst case first)
            self._work(order, bar, prices, update)
            if cid not in self._working:
                finished_now.add(cid)
        return update

    # -- one order -------------------------------------------------------------------------

    def _work(self, order: Order, bar: Bar, prices: BarPrices, update: VenueUpdate) -> None:
        match = self._match(order, prices, update)
        if match is None:
            self._expire_if_immediate(order, update, "not marketable")
            return
        quantity = self._fillable_quantity(order, prices)
        if order.reduce_only:
            quantity = min(quantity, self.account.reducible(order))
            if quantity <= 0:
                self._drop(order, update.cancellations, "reduce-only order has nothing to reduce")
                return
        if order.time_in_force is TimeInForce.FOK and quantity < order.remaining_quantity:
            self._drop(order, update.expirations, "fill-or-kill: not enough volume in the bar")
            return
        if quantity <= 0:
            self._expire_if_immediate(order, update, "no volume")
            return
        buy = order.side is OrderSide.BUY
        price = match.price
        if match.liquidity == matching.TAKER and self.config.slippage_bps:
            price = self.config.slipped(price, buy=buy, quantity=quantity, volume=prices.volume)
        fee = self.config.fee(quantity * price, match.liquidity)
        problem = self.account.funds_problem(order, quantity, price, fee, self.quote_asset)
        if problem:
            self._drop(order, update.rejections, problem)
            return
        fill = self._fill(order, bar, quantity, price, fee, match.liquidity)
        self.account.record(fill)
        update.fills.append(fill)
        remaining = order.remaining_quantity - quantity
        if remaining <= 0:
            self._working.pop(order.client_order_id, None)
            self._forget(order.client_order_id)
            self._cancel_siblings(order, update)
        elif order.time_in_force is TimeInForce.IOC:
            self._drop(order, update.expirations, "immediate-or-cancel: remainder canceled")

    def _match(self, order: Order, prices: BarPrices, update: VenueUpdate) -> Match | None:
        cid = order.client_order_id
        if order.type is OrderType.MARKET:
            return Match(prices.open, matching.TAKER)
        if order.type is OrderType.LIMIT:
            return matching.match_limit(order, prices, order.price)  # type: ignore[arg-type]
        if order.type is OrderType.STOP:
            return matching.match_stop(order, prices, order.stop_price)  # type: ignore[arg-type]
        if order.type is OrderType.STOP_LIMIT:
            if cid in self._triggered:
                return matching.match_limit(order, prices, order.price)  # type: ignore[arg-type]
            stop = order.stop_price  # type: ignore[assignment]
            if matching.stop_triggered_at_open(order, prices, stop):
                self._triggered.add(cid)
                return matching.match_limit(order, prices, order.price)  # type: ignore[arg-type]
            if matching.stop_triggered_in_bar(order, prices, stop):
                self._triggered.add(cid)
            return None
        return self._match_trailing(order, prices, update)

    def _match_trailing(self, order: Order, prices: BarPrices, update: VenueUpdate) -> Match | None:
        stop = order.stop_price
        if stop is None:
            self._start_trailing(order, reference=prices.open)
            stop = order.stop_price
        found = matching.match_stop(order, prices, stop)  # type: ignore[arg-type]
        if found is not None:
            return found
        anchor = matching.best_price(order, prices, self._anchors[order.client_order_id])
        self._anchors[order.client_order_id] = anchor
        moved = matching.trail(order, anchor).quantize(_QUANTUM)
        better = moved < stop if order.side is OrderSide.BUY else moved > stop  # type: ignore[operator]
        if better:
            order.stop_price = moved
            update.amended.append(order)
        return None

    # -- helpers ---------------------------------------------------------------------------

    def _invalid(self, order: Order) -> str | None:
        if order.type in (OrderType.LIMIT, OrderType.STOP_LIMIT) and order.price is None:
            return f"{order.type} order needs a limit price"
        if order.type in (OrderType.STOP, OrderType.STOP_LIMIT) and order.stop_price is None:
            return f"{order.type} order needs a stop price"
        if order.type is OrderType.TRAILING_STOP and not (
            order.trailing_amount or order.trailing_percent
        ):
            return "trailing stop needs trailing_amount or trailing_percent"
        if order.post_only and order.type is not OrderType.LIMIT:
            return "post-only applies to limit orders only"
        last_close = self._last_close.get(order.symbol)
        if order.post_only and last_close is not None:
            last = self.instrument_of(order.symbol).price(last_close)
            if matching.is_marketable(order, last):
                return f"post-only limit {order.price} would take liquidity (last price {last})"
        if order.position_side is not PositionSide.BOTH and not self.config.hedge_mode:
            return "position_side LONG/SHORT needs a hedge-mode account"
        if self.instrument is not None and not order.reduce_only:
            reference = order.price or order.stop_price
            if reference is None and last_close is not None:
                reference = self.instrument_of(order.symbol).price(last_close)
            return self.instrument_of(order.symbol).order_problem(order.quantity, reference)
        return None

    def _start_trailing(self, order: Order, reference: Decimal | None = None) -> None:
        if reference is None:
            last_close = self._last_close.get(order.symbol)
            if last_close is None:
                return
            reference = self.instrument_of(order.symbol).price(last_close)
        anchor = reference
        self._anchors[order.client_order_id] = anchor
        order.stop_price = matching.trail(order, anchor).quantize(_QUANTUM)

    def _fillable_quantity(self, order: Order, prices: BarPrices) -> Decimal:
        remaining = order.remaining_quantity
        if self.config.max_volume_fraction is None:
            return remaining
        cap = (prices.volume * self.config.max_volume_fraction).quantize(_QUANTUM, ROUND_DOWN)
        if self.instrument is not None:
            cap = self.instrument_of(order.symbol).quantise_quantity(cap)
        return min(remaining, cap)

    def _fill(
        self,
        order: Order,
        bar: Bar,
        quantity: Decimal,
        price: Decimal,
        fee: Decimal,
        liquidity: str,
    ) -> Fill:
        return Fill(
            trade_id=f"{order.venue_order_id}-{int(bar.ts.timestamp())}",
            client_order_id=order.client_order_id,
            trader_id=order.trader_id,
            symbol=order.symbol,
            side=order.side,
            quantity=quantity,
            price=price,
            fee=fee,
            fee_asset=self.quote_asset,
            ts=bar.ts,
            liquidity=liquidity,
            position_side=order.position_side,
        )

    def _cancel_siblings(self, order: Order, update: VenueUpdate) -> None:
        if order.oco_group is None:
            return
        for other in list(self._working.values()):
            if other.oco_group == order.oco_group and other is not order:
                self._drop(other, update.cancellations, f"other leg {order.client_order_id} filled")

    def _expire_if_immediate(self, order: Order, update: VenueUpdate, why: str) -> None:
        if order.time_in_force in (TimeInForce.IOC, TimeInForce.FOK):
            self._drop(order, update.expirations, f"{order.time_in_force}: {why} on its first bar")

    def _drop(self, order: Order, notices: list[OrderNotice], reason: str) -> None:
        self._working.pop(order.client_order_id, None)
        self._forget(order.client_order_id)
        notices.append(OrderNotice(order.client_order_id, reason))
        for leg in [
            o for o in self._working.values() if o.parent_order_id == order.client_order_id
        ]:
            if order.filled_quantity == 0:
                self._working.pop(leg.client_order_id, None)
                notices.append(
                    OrderNotice(leg.client_order_id, f"entry {order.client_order_id} ended")
                )

    def _forget(self, client_order_id: str) -> None:
        if self._triggered:
            self._triggered.discard(client_order_id)
        if self._anchors:
            self._anchors.pop(client_order_id, None)
        if self._active_legs:
            self._active_legs.discard(client_order_id)
