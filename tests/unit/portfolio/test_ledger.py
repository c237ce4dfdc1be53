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


def test_partial_fills_with_fees_by_hand() -> None:
    p = Portfolio("alice", cash=D(1_000))
    p.apply_fill(fill(BUY, "0.4", "100", fee="0.04"))
    p.apply_fill(fill(BUY, "0.6", "105", fee="0.063", n=1))
    pos = p.position("BTC/USDT")
    assert pos.average_price == D("103")  # (40 + 63) / 1
    p.apply_fill(fill(SELL, "0.25", "110", fee="0.0275", n=2))
    assert pos.realized_pnl == D("1.75")  # 0.25 * (110 - 103)
    assert pos.quantity == D("0.75") and pos.fees_paid == D("0.1305")
    assert p.cash == D(1_000) - D(40) - D(63) + D("27.5") - D("0.1305")


def test_hedge_mode_holds_a_long_and_a_short_at_once() -> None:
    from tradestack.domain.enums import PositionSide

    p = Portfolio("alice", cash=D(10_000))
    long_fill = fill(BUY, "2", "100")
    short_fill = fill(SELL, "1", "100", n=1)
    p.apply_fill(type(long_fill)(**{**_fields(long_fill), "position_side": PositionSide.LONG}))
    p.apply_fill(type(short_fill)(**{**_fields(short_fill), "position_side": PositionSide.SHORT}))
    assert p.quantity("BTC/USDT", PositionSide.LONG) == D(2)
    assert p.quantity("BTC/USDT", PositionSide.SHORT) == D(-1)
    assert p.quantity("BTC/USDT") == D(1)
    assert len(p.open_positions) == 2
    p.mark("BTC/USDT", D(110))
    assert p.unrealized_pnl == D(20) - D(10)
    assert p.gross_exposure() == D(330)


def _fields(struct: object) -> dict[str, object]:
    return {name: getattr(struct, name) for name in struct.__struct_fields__}  # type: ignore[attr-defined]


def test_daily_pnl_from_snapshots() -> None:
    from datetime import UTC, datetime

    from tradestack.portfolio.queries import daily_pnl

    curve = [
        (datetime(2026, 1, 1, 0, tzinfo=UTC), D(100)),
        (datetime(2026, 1, 1, 23, tzinfo=UTC), D(110)),
        (datetime(2026, 1, 2, 12, tzinfo=UTC), D(105)),
        (datetime(2026, 1, 3, 12, tzinfo=UTC), D(120)),
    ]
    assert [pnl for _day, pnl in daily_pnl(curve)] == [D(10), D(-5), D(15)]
