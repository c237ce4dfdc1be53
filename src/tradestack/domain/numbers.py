"""The one place a float price becomes a Decimal: through fixed-point integers.

Bars carry floats (market data, read in bulk, fed to numpy); orders, fills and
balances carry Decimals, so sums of money are exact. A float is turned into an
integer count of ``10**-precision`` first (one multiply and one round), then
into the Decimal of exactly that count. That is about twice as fast as
``Decimal(repr(x))``, lands on the instrument's precision, and gives the same
Decimal (same digits, same exponent) for any price written with that many
decimals or fewer.
"""

from __future__ import annotations

from decimal import Decimal

EXACT_BELOW = 2.0**52
"""``x * scale`` must stay below this for the rounding to land on the right integer."""


def to_units(value: float, scale: int) -> int:
    """``value`` as a whole number of ``1/scale`` (nearest)."""
    return round(value * scale)


def decimal_of(value: float, scale: int, scale_decimal: Decimal) -> Decimal:
    """The exact Decimal of ``value`` rounded to ``1/scale``; huge values go through repr."""
    scaled = value * scale
    if -EXACT_BELOW < scaled < EXACT_BELOW:
        return Decimal(round(scaled)) / scale_decimal
    return Decimal(repr(value))  # beyond the fixed-point range: rare, exact to its digits


def units_of(value: Decimal, scale: int) -> int:
    """A Decimal on the ``1/scale`` grid as its integer count (exact, raises off the grid)."""
    scaled = value * scale
    units = int(scaled)
    if units != scaled:
        raise ValueError(f"{value} is not a multiple of 1/{scale}")
    return units


def exact(value: float) -> Decimal:
    """A float that is not a price (a volume, a percentage) as the Decimal of its shortest repr."""
    return Decimal(repr(value))
