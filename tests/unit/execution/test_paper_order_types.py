"""Limit, stop, stop-limit, trailing stop and bracket orders under the conservative bar rules."""

from decimal import Decimal as D

from tests.unit.execution.paper_helpers import ohlc, order, venue
from tradestack.domain.enums import OrderSide, OrderType

BUY, SELL = OrderSide.BUY, OrderSide.SELL
LIMIT, STOP = OrderType.LIMIT, OrderType.STOP


def test_buy_limit_fills_at_limit_as_maker_only_when_traded_through() -> None:
    v = venue(maker_fee_rate="0.0002")
    v.submit(order(BUY, "1", LIMIT, price=95))
    assert not v.on_bar(ohlc(1, 100, 101, 95, 100))  # touched, not through: no fill
    (f,) = v.on_bar(ohlc(2, 100, 101, 94.5, 100)).fills
    assert (f.price, f.liquidity, f.fee) == (D(95), "maker", D("0.0190000000"))


def test_limit_gapped_through_at_the_open_fills_at_the_open_as_taker() -> None:
    v = venue(held="1")
    v.submit(order(SELL, "1", LIMIT, price=105))
    (f,) = v.on_bar(ohlc(1, 108, 110, 107, 109)).fills
    assert (f.price, f.liquidity) == (D(108), "taker")


def test_post_only_limit_is_refused_if_marketable_and_fills_as_maker() -> None:
    v = venue()
    v.on_bar(ohlc(0, 100, 101, 99, 100))  # last price 100
    assert not v.submit(order(BUY, "1", LIMIT, price=101, post_only=True)).accepted
    assert v.submit(order(BUY, "1", LIMIT, price=99, post_only=True)).accepted
    (f,) = v.on_bar(ohlc(1, 98, 99, 97, 98)).fills  # gapped below: maker at its limit
    assert (f.price, f.liquidity) == (D(99), "maker")


def test_sell_stop_fills_at_stop_or_at_a_worse_gap_open() -> None:
    v = venue(held="2")
    v.submit(order(SELL, "1", STOP, stop_price=95))
    v.submit(order(SELL, "1", STOP, stop_price=99))
    fills = v.on_bar(ohlc(1, 97, 98, 94, 95)).fills
    assert sorted(f.price for f in fills) == [D(95), D(97)]  # 95 touched; 99 gapped: open 97


def test_stop_limit_triggered_inside_a_bar_works_from_the_next_bar() -> None:
    v = venue()
    v.submit(order(BUY, "1", OrderType.STOP_LIMIT, stop_price=105, price=106))
    assert not v.on_bar(ohlc(1, 100, 107, 99, 101))  # triggers at 105, but no fill this bar
    (f,) = v.on_bar(ohlc(2, 104, 105, 103, 104)).fills  # now a buy limit 106, open 104 through
    assert f.price == D(104)


def test_stop_limit_triggered_at_the_open_can_fill_in_that_bar() -> None:
    v = venue()
    v.submit(order(BUY, "1", OrderType.STOP_LIMIT, stop_price=105, price=108))
    (f,) = v.on_bar(ohlc(1, 107, 109, 106, 108)).fills
    assert f.price == D(107)


def test_trailing_stop_follows_highs_and_never_protects_the_same_bar() -> None:
    v = venue(held="1")
    v.on_bar(ohlc(0, 100, 100, 100, 100))
    o = order(SELL, "1", OrderType.TRAILING_STOP, trailing_amount=5)
    v.submit(o)
    assert o.stop_price == D(95)
    update = v.on_bar(ohlc(1, 100, 110, 96, 109))  # low 96 > stop 95, then stop moves to 105
    assert not update.fills and o.stop_price == D(105) and update.amended == [o]
    (f,) = v.on_bar(ohlc(2, 108, 108, 104, 104)).fills
    assert f.price == D(105)


def test_trailing_stop_by_percent() -> None:
    v = venue(held="1")
    v.on_bar(ohlc(0, 200, 200, 200, 200))
    o = order(SELL, "1", OrderType.TRAILING_STOP, trailing_percent=10)
    v.submit(o)
    assert o.stop_price == D(180)
    v.on_bar(ohlc(1, 200, 250, 199, 240))
    assert o.stop_price == D(225)


def test_bracket_legs_wait_for_the_entry_then_one_cancels_the_other() -> None:
    held = {"q": D(0)}
    from tradestack.execution.venues.paper import PaperConfig, PaperVenue

    v = PaperVenue(config=PaperConfig(), cash=lambda: D(10**6), holdings=lambda *_a: held["q"])
    entry = order(BUY, "1")
    tp = order(
        SELL,
        "1",
        LIMIT,
        price=110,
        parent_order_id=entry.client_order_id,
        oco_group=entry.client_order_id,
        reduce_only=True,
    )
    sl = order(
        SELL,
        "1",
        STOP,
        stop_price=95,
        parent_order_id=entry.client_order_id,
        oco_group=entry.client_order_id,
        reduce_only=True,
    )
    for o in (entry, tp, sl):
        v.submit(o)
    # Entry bar fills at 100 and also reaches 111 and 94: worst case, the stop wins.
    update = v.on_bar(ohlc(1, 100, 111, 94, 105))
    assert next(f.client_order_id for f in update.fills) == entry.client_order_id
    held["q"] = D(1)
    assert set(update.activations) == {tp.client_order_id, sl.client_order_id}
    stop_fill = [f for f in update.fills if f.client_order_id == sl.client_order_id]
    assert stop_fill and stop_fill[0].price == D(95)
    assert update.cancellations[0].client_order_id == tp.client_order_id
    assert v.working_orders() == []


def test_bracket_legs_are_canceled_when_the_entry_is_rejected() -> None:
    v = venue(cash="10")
    entry = order(BUY, "1")
    leg = order(
        SELL,
        "1",
        STOP,
        stop_price=90,
        parent_order_id=entry.client_order_id,
        oco_group=entry.client_order_id,
    )
    v.submit(entry)
    v.submit(leg)
    update = v.on_bar(ohlc(1, 100, 101, 99, 100))
    assert update.rejections[0].client_order_id == entry.client_order_id
    assert [n.client_order_id for n in update.rejections[1:] + update.cancellations] == [
        leg.client_order_id
    ]
