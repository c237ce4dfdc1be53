from decimal import Decimal as D

from tests.unit.factories import T0, bar
from tradestack.domain.enums import OrderSide, OrderType
from tradestack.domain.orders import Order
from tradestack.execution.venues.paper import PaperVenue


def order(side: OrderSide, qty: str, order_type: OrderType = OrderType.MARKET) -> Order:
    return Order(
        client_order_id=f"c-{side}-{qty}",
        trader_id="alice",
        symbol="BTC/USDT",
        side=side,
        type=order_type,
        quantity=D(qty),
        created_at=T0,
        updated_at=T0,
    )


def venue(cash: str = "10000", held: str = "0") -> PaperVenue:
    return PaperVenue(fee_rate=D("0.001"), cash=lambda: D(cash), holdings=lambda _s: D(held))


def test_market_order_fills_at_next_bar_open_with_fee() -> None:
    v = venue()
    assert v.submit(order(OrderSide.BUY, "2")).accepted
    fills, rejections = v.on_bar(bar(1, close=105.0, open_=101.5))
    assert rejections == []
    (f,) = fills
    assert f.price == D("101.5") and f.quantity == D(2)
    assert f.fee == D("0.2030000000")
    assert f.ts == bar(1, 105.0).ts
    assert v.on_bar(bar(2, 106.0)) == ((), ())


def test_buy_without_enough_cash_is_rejected_with_reason() -> None:
    v = venue(cash="100")
    v.submit(order(OrderSide.BUY, "2"))
    fills, rejections = v.on_bar(bar(1, close=100.0))
    assert fills == []
    assert "insufficient funds" in rejections[0].reason


def test_spot_sell_needs_holdings() -> None:
    v = venue(held="1")
    v.submit(order(OrderSide.SELL, "2"))
    _fills, rejections = v.on_bar(bar(1, close=100.0))
    assert "insufficient BTC/USDT" in rejections[0].reason


def test_unsupported_order_type_is_refused_at_submit() -> None:
    result = venue().submit(order(OrderSide.BUY, "1", OrderType.LIMIT))
    assert not result.accepted and "LIMIT" in (result.reason or "")


def test_resubmitting_the_same_client_order_id_does_not_duplicate() -> None:
    v = venue()
    o = order(OrderSide.BUY, "1")
    first = v.submit(o)
    second = v.submit(o)
    assert first.venue_order_id == second.venue_order_id
    fills, _ = v.on_bar(bar(1, close=100.0))
    assert len(fills) == 1
