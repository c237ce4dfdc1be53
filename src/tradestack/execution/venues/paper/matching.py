"""When and at what price a working order trades within one bar: the conservative rules.

Only the bar's open, high, low and close are known, not the path between
them, so each rule assumes the order of events least favourable to the trader:

- MARKET fills at the open.
- LIMIT: if the open is already through the limit, a taker fill at the open
  (a post-only order fills at its limit as maker instead). Otherwise it fills
  at the limit as maker only when the price trades *strictly* through it
  (low < limit to buy, high > limit to sell): a touch does not prove the queue
  reached the order.
- STOP: if the open gapped through the stop, a taker fill at the open (worse
  than the stop); otherwise a taker fill at the stop when the bar reaches it.
- STOP_LIMIT: a stop triggered at the open becomes a limit order at once;
  triggered inside the bar, the limit works from the next bar only.
- TRAILING_STOP: checked against the stop from the previous bars first, then
  the stop is moved with this bar's extreme (the extreme may have come after
  the low, so it never protects the same bar).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import msgspec

from tradestack.domain.enums import OrderSide, OrderType
from tradestack.domain.market import Bar
from tradestack.domain.numbers import exact
from tradestack.domain.orders import Order

MAKER = "maker"
TAKER = "taker"


class BarPrices:
    """One bar's prices as Decimals, each converted on first use only.

    A market order needs the open alone; most bars with working orders never
    look at the high, low or volume, so they are not converted.
    """

    __slots__ = ("_bar", "_close", "_high", "_low", "_open", "_price", "_volume")

    def __init__(self, bar: Bar, price: Callable[[float], Decimal]) -> None:
        self._bar = bar
        self._price = price
        self._open: Decimal | None = None
        self._high: Decimal | None = None
        self._low: Decimal | None = None
        self._close: Decimal | None = None
        self._volume: Decimal | None = None

    @property
    def open(self) -> Decimal:
        if self._open is None:
            self._open = self._price(self._bar.open)
        return self._open

    @property
    def high(self) -> Decimal:
        if self._high is None:
            self._high = self._price(self._bar.high)
        return self._high

    @property
    def low(self) -> Decimal:
        if self._low is None:
            self._low = self._price(self._bar.low)
        return self._low

    @property
    def close(self) -> Decimal:
        if self._close is None:
            self._close = self._price(self._bar.close)
        return self._close

    @property
    def volume(self) -> Decimal:
        if self._volume is None:
            self._volume = exact(self._bar.volume)
        return self._volume


class Match(msgspec.Struct, frozen=True, gc=False):
    price: Decimal
    liquidity: str


def match_limit(order: Order, bar: BarPrices, limit: Decimal) -> Match | None:
    buy = order.side is OrderSide.BUY
    through_at_open = bar.open <= limit if buy else bar.open >= limit
    if through_at_open:
        return Match(limit, MAKER) if order.post_only else Match(bar.open, TAKER)
    traded_through = bar.low < limit if buy else bar.high > limit
    return Match(limit, MAKER) if traded_through else None


def match_stop(order: Order, bar: BarPrices, stop: Decimal) -> Match | None:
    buy = order.side is OrderSide.BUY
    if (bar.open >= stop) if buy else (bar.open <= stop):
        return Match(bar.open, TAKER)
    if (bar.high >= stop) if buy else (bar.low <= stop):
        return Match(stop, TAKER)
    return None


def stop_triggered_at_open(order: Order, bar: BarPrices, stop: Decimal) -> bool:
    return bar.open >= stop if order.side is OrderSide.BUY else bar.open <= stop


def stop_triggered_in_bar(order: Order, bar: BarPrices, stop: Decimal) -> bool:
    return bar.high >= stop if order.side is OrderSide.BUY else bar.low <= stop


def trail(order: Order, anchor: Decimal) -> Decimal:
    """Return the stop ``trailing_amount`` or ``trailing_percent`` away from ``anchor``."""
    if order.trailing_amount is not None:
        distance = order.trailing_amount
    else:
        distance = anchor * (order.trailing_percent or Decimal(0)) / Decimal(100)
    return anchor + distance if order.side is OrderSide.BUY else anchor - distance


def anchor_of(order: Order, stop: Decimal) -> Decimal:
    """Invert ``trail``: the anchor a stored trailing stop was computed from (after a restart)."""
    if order.trailing_amount is not None:
        return (
            stop - order.trailing_amount
            if order.side is OrderSide.BUY
            else stop + order.trailing_amount
        )
    fraction = (order.trailing_percent or Decimal(0)) / Decimal(100)
    return stop / (1 + fraction) if order.side is OrderSide.BUY else stop / (1 - fraction)


def best_price(order: Order, bar: BarPrices, anchor: Decimal) -> Decimal:
    """Move a trailing anchor with the bar: highs for a sell stop, lows for a buy stop."""
    return min(anchor, bar.low) if order.side is OrderSide.BUY else max(anchor, bar.high)


def is_marketable(order: Order, reference: Decimal) -> bool:
    """Whether a limit order would trade at once at ``reference`` (post-only refuses that)."""
    if order.type is not OrderType.LIMIT or order.price is None:
        return False
    return reference <= order.price if order.side is OrderSide.BUY else reference >= order.price
