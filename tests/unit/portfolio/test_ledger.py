from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.factories import fill
from tradestack.domain.enums import OrderSide
from tradestack.portfolio.ledger import Portfolio

BUY, SELL = OrderSide.BUY, OrderSide.SELL


def test_long_round_trip_by_hand() -> None:
    p = Portfolio("alice", cash=D(10_000))
    p.apply_fill(fill(BUY, "2", "100", fee="0.2"))
    p.apply_fill(fill(BUY, "2", "110", fee="0.22", n=1))
    pos = p.position("BTC/USDT")
    assert pos.quantity == D(4) and pos.average_price == D(105)
    p.mark("BTC/USDT", D(120))
    assert pos.unrealized_pnl == D(60)
    p.apply_fill(fill(SELL, "4", "120", fee="0.48", n=2))
    assert pos.quantity == 0 and pos.realized_pnl == D(60)
    assert pos.fees_paid == D("0.90")
    assert p.cash == D(10_000) + D(60) - D("0.90")
    assert p.equity == p.cash


def test_partial_close_then_flip_to_short() -> None:
    p = Portfolio("alice", cash=D(1_000))
    p.apply_fill(fill(BUY, "3", "10"))
    p.apply_fill(fill(SELL, "1", "12", n=1))  # realize 2
    pos = p.position("BTC/USDT")
    assert pos.quantity == D(2) and pos.realized_pnl == D(2) and pos.average_price == D(10)
    p.apply_fill(fill(SELL, "5", "11", n=2))  # close 2 at +1 each, open 3 short at 11
    assert pos.quantity == D(-3) and pos.realized_pnl == D(4) and pos.average_price == D(11)
    p.mark("BTC/USDT", D(9))
    assert pos.unrealized_pnl == D(6)
    assert p.equity == D(1_000) + D(4) + D(6)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.booleans(), st.integers(1, 50), st.integers(50, 150), st.integers(0, 5)),
        min_size=1,
        max_size=30,
    ),
    st.integers(50, 150),
)
def test_equity_is_cash_plus_pnl_at_every_step(
    trades: list[tuple[bool, int, int, int]], mark: int
) -> None:
    start = D(100_000)
    p = Portfolio("alice", cash=start)
    for n, (is_buy, qty, price, fee) in enumerate(trades):
        p.apply_fill(fill(BUY if is_buy else SELL, str(qty), str(price), fee=str(fee), n=n))
        p.mark("BTC/USDT", D(mark))
        # Average-cost accounting divides, so the two sides may differ in the 28th digit.
        difference = p.equity - (start + p.realized_pnl + p.unrealized_pnl - p.fees_paid)
        assert abs(difference) < D("1e-20")
