"""What can be traded and in which steps: tick size, lot size, minimum notional, precision.

Every price an order or fill carries is a whole number of ticks and every
quantity a whole number of lots of its instrument; the quantise helpers put a
number on that grid (prices to the nearest tick, quantities down to a lot, so
rounding never buys more than was affordable). ``order_problem`` says why an
order the venue would refuse cannot go (below one lot, below the minimum
notional) in one line a person can read.

The hot path works in fixed-point integers: ``price_units`` turns a float bar
price into an integer count of ``10**-price_precision`` and ``to_price`` turns
it back into an exact Decimal, so a bar is converted once, not per use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal

from tradestack.domain.numbers import EXACT_BELOW

ZERO = Decimal(0)
DEFAULT_INCREMENT = Decimal("0.00000001")
"""Tick and lot of an instrument nobody described: 8 decimals, like most crypto venues."""


def decimals_of(step: Decimal) -> int:
    """Decimal places needed to write multiples of ``step`` (0.01 -> 2, 0.5 -> 1, 10 -> 0)."""
    exponent = step.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    return max(0, -exponent)


@dataclass(frozen=True, slots=True)
class Instrument:
    """One tradable symbol's grid. Build with ``Instrument.of`` to derive the precisions."""

    symbol: str
    tick_size: Decimal
    lot_size: Decimal
    min_notional: Decimal
    price_precision: int
    quantity_precision: int
    min_quantity: Decimal = ZERO
    """Smallest order quantity when it is larger than one lot (some venues say so)."""
    base_asset: str = ""
    quote_asset: str = ""
    _price_scale: int = field(init=False, repr=False, compare=False)
    _price_quantum: Decimal = field(init=False, repr=False, compare=False)
    _price_scale_decimal: Decimal = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.tick_size <= 0 or self.lot_size <= 0:
            raise ValueError(
                f"{self.symbol}: tick size and lot size must be positive, "
                f"got {self.tick_size} and {self.lot_size}"
            )
        if self.min_notional < 0 or self.min_quantity < 0:
            raise ValueError(f"{self.symbol}: minimums must not be negative")
        object.__setattr__(self, "_price_scale", 10**self.price_precision)
        object.__setattr__(self, "_price_quantum", Decimal(1).scaleb(-self.price_precision))
        object.__setattr__(self, "_price_scale_decimal", Decimal(self._price_scale))

    @classmethod
    def of(
        cls,
        symbol: str,
        *,
        tick_size: Decimal = DEFAULT_INCREMENT,
        lot_size: Decimal = DEFAULT_INCREMENT,
        min_notional: Decimal = ZERO,
        min_quantity: Decimal = ZERO,
        base_asset: str | None = None,
        quote_asset: str | None = None,
    ) -> Instrument:
        """An instrument whose precisions follow from its tick and lot sizes."""
        base, _, quote = symbol.partition("/")
        return cls(
            symbol=symbol,
            tick_size=Decimal(tick_size),
            lot_size=Decimal(lot_size),
            min_notional=Decimal(min_notional),
            price_precision=decimals_of(Decimal(tick_size)),
            quantity_precision=decimals_of(Decimal(lot_size)),
            min_quantity=Decimal(min_quantity),
            base_asset=base_asset or base,
            quote_asset=quote_asset or quote.split(":", 1)[0],
        )

    # -- quantising ------------------------------------------------------------------------

    def quantise_price(self, price: Decimal, rounding: str = ROUND_HALF_EVEN) -> Decimal:
        """``price`` on the tick grid (nearest tick by default)."""
        ticks = (price / self.tick_size).to_integral_value(rounding)
        return (ticks * self.tick_size).quantize(self._price_quantum)

    def quantise_quantity(self, quantity: Decimal) -> Decimal:
        """``quantity`` rounded down to whole lots (never more than was asked or affordable)."""
        lots = (quantity / self.lot_size).to_integral_value(ROUND_DOWN)
        return lots * self.lot_size

    def on_price_grid(self, price: Decimal) -> bool:
        return price % self.tick_size == 0

    def on_lot_grid(self, quantity: Decimal) -> bool:
        return quantity % self.lot_size == 0

    # -- fixed point -----------------------------------------------------------------------

    @property
    def price_scale(self) -> int:
        """Units per 1.0 of price in the fixed-point form (``10**price_precision``)."""
        return self._price_scale

    def price_units(self, price: float) -> int:
        """A float price as an integer count of ``10**-price_precision`` (exact for bar data).

        Exact whenever ``price`` was written with at most ``price_precision``
        decimals and ``price * 10**price_precision`` < 2**53, as exchange prices are.
        """
        return round(price * self._price_scale)

    def to_price(self, units: int) -> Decimal:
        """The exact Decimal of a fixed-point price."""
        return Decimal(units) / self._price_scale_decimal

    def price(self, value: float) -> Decimal:
        """A float price (a bar's) as the exact Decimal at this instrument's precision.

        The boundary between market data and money: every bar price that
        becomes part of an order, a fill or a mark goes through here.
        """
        scaled = value * self._price_scale  # numbers.decimal_of, inlined: the hottest call
        if -EXACT_BELOW < scaled < EXACT_BELOW:
            return Decimal(round(scaled)) / self._price_scale_decimal
        return Decimal(repr(value))

    # -- validation ------------------------------------------------------------------------

    def order_problem(self, quantity: Decimal, price: Decimal | None) -> str | None:
        """Why an order of ``quantity`` at about ``price`` cannot go to the venue, or None."""
        if quantity < self.lot_size:
            return f"quantity {quantity} {self.symbol} is below the lot size {self.lot_size}"
        if quantity < self.min_quantity:
            return f"quantity {quantity} {self.symbol} is below the minimum {self.min_quantity}"
        if not self.on_lot_grid(quantity):
            return (
                f"quantity {quantity} {self.symbol} is not a multiple of the lot size "
                f"{self.lot_size}"
            )
        if price is not None and self.min_notional > 0:
            notional = quantity * price
            if notional < self.min_notional:
                return (
                    f"notional {notional:.2f} of {quantity} {self.symbol} is below the minimum "
                    f"{self.min_notional}"
                )
        return None


def default_instrument(symbol: str, *, lot_size: Decimal = DEFAULT_INCREMENT) -> Instrument:
    """What paper trading and backtests use for a symbol nobody described."""
    return Instrument.of(symbol, lot_size=lot_size)
