"""Instruments: the tick/lot grid, fixed-point prices and the reasons an order cannot go."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tradestack.domain.instruments import Instrument, decimals_of, default_instrument

BTC = Instrument.of(
    "BTC/USDT", tick_size=Decimal("0.01"), lot_size=Decimal("0.00001"), min_notional=Decimal(5)
)


def test_precisions_follow_from_the_steps() -> None:
    assert (BTC.price_precision, BTC.quantity_precision) == (2, 5)
    assert (BTC.base_asset, BTC.quote_asset) == ("BTC", "USDT")
    assert decimals_of(Decimal("0.5")) == 1 and decimals_of(Decimal(10)) == 0
    assert Instrument.of("ETH/USDT:USDT").quote_asset == "USDT"


def test_prices_go_to_the_nearest_tick_and_quantities_down_to_a_lot() -> None:
    assert BTC.quantise_price(Decimal("100.005")) == Decimal("100.00")  # half to even
    assert BTC.quantise_price(Decimal("100.0151")) == Decimal("100.02")
    assert BTC.quantise_quantity(Decimal("0.123456789")) == Decimal("0.12345")
    half = Instrument.of("X/USD", tick_size=Decimal("0.5"), lot_size=Decimal(1))
    assert half.quantise_price(Decimal("10.74")) == Decimal("10.5")
    assert half.quantise_quantity(Decimal("2.99")) == Decimal(2)


def test_fixed_point_prices_round_trip_bar_floats_exactly() -> None:
    for price in (0.01, 0.1, 1.23, 64999.99, 12345.67, 99999.99):
        units = BTC.price_units(price)
        assert isinstance(units, int)
        assert BTC.to_price(units) == Decimal(repr(price))
    fine = default_instrument("BTC/USDT")
    assert fine.to_price(fine.price_units(1.12345678)) == Decimal("1.12345678")


@pytest.mark.parametrize(
    ("quantity", "price", "reason"),
    [
        ("0.000001", "60000", "below the lot size 0.00001"),
        ("0.000015", "60000", "not a multiple of the lot size"),
        ("0.00005", "60000", "notional 3.00 of 0.00005 BTC/USDT is below the minimum 5"),
    ],
)
def test_orders_off_the_grid_or_too_small_are_refused_with_the_reason(
    quantity: str, price: str, reason: str
) -> None:
    problem = BTC.order_problem(Decimal(quantity), Decimal(price))
    assert problem is not None and reason in problem


def test_an_order_on_the_grid_above_the_minimums_passes() -> None:
    assert BTC.order_problem(Decimal("0.0001"), Decimal(60000)) is None
    assert BTC.order_problem(Decimal("0.0001"), None) is None  # no price: notional unknown


def test_invalid_steps_are_refused() -> None:
    with pytest.raises(ValueError, match="must be positive"):
        Instrument.of("X/USD", tick_size=Decimal(0))
