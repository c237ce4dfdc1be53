"""Instruments from ccxt's ``markets``: precision and limits in ccxt's unified structure.

ccxt reports ``precision`` either as tick sizes (``precisionMode`` TICK_SIZE,
most exchanges in ccxt 4) or as counts of decimals (DECIMAL_PLACES, and
SIGNIFICANT_DIGITS, read here as decimals too: the grid is then at least that
fine). ``limits.cost.min`` is the minimum notional, ``limits.amount.min`` the
minimum quantity. Only the plain dict is read, so a recorded ``markets`` dict
works as well as a live exchange's.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from tradestack.domain.instruments import DEFAULT_INCREMENT, ZERO, Instrument
from tradestack.errors import ConfigError

TICK_SIZE = 4
"""ccxt.TICK_SIZE (ccxt.DECIMAL_PLACES is 2, ccxt.SIGNIFICANT_DIGITS 3)."""


def _number(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _step(value: Any, precision_mode: int) -> Decimal | None:
    number = _number(value)
    if number is None or number <= 0:
        return None
    if precision_mode == TICK_SIZE:
        return number
    return Decimal(1).scaleb(-int(number))  # a count of decimals: 2 -> 0.01


def instrument_from_market(
    market: Mapping[str, Any], precision_mode: int = TICK_SIZE
) -> Instrument:
    """One ccxt market as an Instrument; raises ConfigError when it has no symbol."""
    symbol = market.get("symbol")
    if not symbol:
        raise ConfigError(f"ccxt market without a symbol: {market.get('id')!r}")
    precision = market.get("precision") or {}
    limits = market.get("limits") or {}
    tick = _step(precision.get("price"), precision_mode)
    lot = _step(precision.get("amount"), precision_mode)
    min_amount = _number((limits.get("amount") or {}).get("min"))
    min_cost = _number((limits.get("cost") or {}).get("min"))
    base, quote = market.get("base"), market.get("quote")
    return Instrument.of(
        str(symbol),
        tick_size=tick or DEFAULT_INCREMENT,
        lot_size=lot or (min_amount if min_amount and min_amount > 0 else DEFAULT_INCREMENT),
        min_notional=min_cost if min_cost and min_cost > 0 else ZERO,
        min_quantity=min_amount if min_amount and min_amount > 0 else ZERO,
        base_asset=str(base) if base else None,
        quote_asset=str(quote) if quote else None,
    )


def instruments_from_markets(
    markets: Mapping[str, Mapping[str, Any]], precision_mode: int = TICK_SIZE
) -> dict[str, Instrument]:
    """Every market of a ccxt exchange's ``markets`` (keyed by unified symbol)."""
    return {
        instrument.symbol: instrument
        for instrument in (instrument_from_market(m, precision_mode) for m in markets.values())
    }


async def load_instruments(exchange: Any) -> dict[str, Instrument]:
    """Load a ccxt exchange's markets (once; ccxt caches them) and read its instruments."""
    from tradestack.execution.venues.ccxt.errors import translated

    with translated():
        markets = await exchange.load_markets()
    return instruments_from_markets(markets, int(getattr(exchange, "precisionMode", TICK_SIZE)))
