"""Quantised accounting is exact: the fixed-point boundary plus Decimal sums equal rationals.

Fills are made as the paper venue makes them: a float bar price goes through
the instrument's fixed-point boundary (``Instrument.price``), a quantity is
rounded down to whole lots, the fee is the venue's. The reference ledger
works in exact fractions from the same floats read the old way
(``Decimal(repr(x))``); cash, position, fees and equity must agree to the
last digit, and realized PnL (which divides by the position for its average
price) to 20 significant digits.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from tradestack.domain.enums import OrderSide
from tradestack.domain.instruments import Instrument
from tradestack.domain.orders import Fill
from tradestack.execution.venues.paper.config import PaperConfig
from tradestack.portfolio.ledger import Portfolio

TS = datetime(2024, 1, 1, tzinfo=UTC)
INSTRUMENTS = st.sampled_from(
    [
        Instrument.of("BTC/USDT", tick_size=Decimal("0.01"), lot_size=Decimal("0.00001")),
        Instrument.of("EUR/USD", tick_size=Decimal("0.00001"), lot_size=Decimal(1)),
        Instrument.of("X/USD", tick_size=Decimal("0.00000001"), lot_size=Decimal("0.0001")),
    ]
)
STEPS = st.lists(
    st.tuples(
        st.booleans(),  # buy?
        st.integers(1, 10**7),  # price in units of the precision
        st.floats(0.00001, 50.0, allow_nan=False),  # wished quantity, before lot rounding
    ),
    min_size=1,
    max_size=40,
)


class ExactLedger:
    """The same rules in Fractions: no rounding anywhere."""

    def __init__(self, cash: Fraction) -> None:
        self.cash, self.quantity, self.average = cash, Fraction(0), Fraction(0)
        self.realized = self.fees = Fraction(0)

    def apply(self, buy: bool, quantity: Fraction, price: Fraction, fee: Fraction) -> None:
        signed = quantity if buy else -quantity
        held = self.quantity
        if held == 0 or (held > 0) == (signed > 0):
            self.average = (abs(held) * self.average + quantity * price) / (abs(held) + quantity)
        else:
            closed = min(abs(signed), abs(held))
            self.realized += closed * (price - self.average) * (1 if held > 0 else -1)
            remainder = held + signed
            if remainder == 0:
                self.average = Fraction(0)
            elif (remainder > 0) != (held > 0):
                self.average = price
        self.quantity = held + signed
        self.fees += fee
        self.cash -= signed * price + fee


@settings(max_examples=200, deadline=None)
@given(INSTRUMENTS, STEPS, st.sampled_from(["0", "0.001", "0.00075"]))
def test_quantised_fills_account_exactly(
    instrument: Instrument, steps: list[tuple[bool, int, float]], fee_rate: str
) -> None:
    config = PaperConfig(taker_fee_rate=Decimal(fee_rate))
    portfolio = Portfolio("t", cash=Decimal(1_000_000))
    exact = ExactLedger(Fraction(1_000_000))
    last = 0.0
    for buy, units, wished in steps:
        bar_price = units / instrument.price_scale  # a float, as bars carry prices
        price = instrument.price(bar_price)  # the fixed-point boundary
        assert price == Decimal(repr(bar_price))  # the same number the old conversion gave
        quantity = instrument.quantise_quantity(Decimal(repr(wished)))
        if quantity <= 0:
            continue
        assert instrument.on_lot_grid(quantity)
        fee = config.fee(quantity * price, "taker")
        fill = Fill(
            trade_id=f"t{len(steps)}",
            client_order_id="c",
            trader_id="t",
            symbol=instrument.symbol,
            side=OrderSide.BUY if buy else OrderSide.SELL,
            quantity=quantity,
            price=price,
            fee=fee,
            fee_asset="USD",
            ts=TS,
        )
        portfolio.apply_fill(fill)
        exact.apply(buy, Fraction(quantity), Fraction(price), Fraction(fee))
        last = bar_price
    portfolio.mark_close(instrument.symbol, last, TS, instrument.price)
    assert Fraction(portfolio.cash) == exact.cash
    assert Fraction(portfolio.quantity(instrument.symbol)) == exact.quantity
    assert Fraction(portfolio.fees_paid) == exact.fees
    mark = Fraction(Decimal(repr(last)))
    assert Fraction(portfolio.equity) == exact.cash + exact.quantity * mark
    scale = max(abs(exact.realized), Fraction(1))
    assert abs(Fraction(portfolio.realized_pnl) - exact.realized) <= scale / 10**20
