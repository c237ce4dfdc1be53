from datetime import UTC, datetime
from decimal import Decimal as D

from tradestack.backtest.trades import TradeBook
from tradestack.domain.enums import OrderSide
from tradestack.domain.orders import Fill

T = datetime(2024, 1, 1, tzinfo=UTC)


def fill(side: OrderSide, quantity: str, price: str, fee: str) -> Fill:
    return Fill(
        trade_id=f"{side}{quantity}{price}",
        client_order_id="o",
        trader_id="t",
        symbol="X",
        side=side,
        quantity=D(quantity),
        price=D(price),
        fee=D(fee),
        fee_asset="USD",
        ts=T,
    )


def test_round_trip_pnl_is_net_of_both_fees() -> None:
    book = TradeBook()
    book.add(fill(OrderSide.BUY, "10", "100", "1"), 0)
    book.add(fill(OrderSide.SELL, "10", "110", "1.1"), 5)
    (trade,) = book.trades
    assert (trade.direction, trade.entry_index, trade.exit_index) == (1, 0, 5)
    assert trade.pnl == D(100) - D("2.1") and trade.fees == D("2.1")
    assert not book.is_open


def test_a_flip_closes_one_trade_and_opens_the_next_splitting_the_fee() -> None:
    book = TradeBook()
    book.add(fill(OrderSide.BUY, "10", "100", "1"), 0)
    book.add(fill(OrderSide.SELL, "30", "90", "3"), 1)  # 10 close the long, 20 open a short
    book.add(fill(OrderSide.BUY, "20", "80", "2"), 2)
    long, short = book.trades
    assert long.pnl == D(-100) - D(1) - D(1)
    assert short.direction == -1 and short.size == 20
    assert short.pnl == D(200) - D(2) - D(2)
