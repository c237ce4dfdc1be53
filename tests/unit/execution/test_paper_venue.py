"""Market orders, fees, slippage, volume caps, funds and time in force on the paper venue."""

from decimal import Decimal as D

from tests.unit.execution.paper_helpers import ohlc, order, venue
from tradestack.domain.enums import OrderSide, OrderType, TimeInForce

BUY, SELL = OrderSide.BUY, OrderSide.SELL


def test_market_order_fills_at_next_bar_open_with_taker_fee() -> None:
    v = venue()
    assert v.submit(order(BUY, "2")).accepted
    update = v.on_bar(ohlc(1, 101.5, 106, 100, 105))
    (f,) = update.fills
    assert f.price == D("101.5") and f.quantity == D(2) and f.liquidity == "taker"
    assert f.fee == D("0.2030000000")
    assert not v.on_bar(ohlc(2, 105, 106, 104, 105))


def test_fixed_slippage_moves_taker_fills_against_the_order() -> None:
    v = venue(slippage_bps=10, held="1")
    v.submit(order(BUY, "1"))
    v.submit(order(SELL, "1"))
    buy, sell = v.on_bar(ohlc(1, 100, 101, 99, 100)).fills
    assert buy.price == D("100.1") and sell.price == D("99.9")


def test_volume_slippage_scales_with_share_of_bar_volume() -> None:
    v = venue(slippage_bps=100, slippage_model="volume")
    v.submit(order(BUY, "250"))
    (f,) = v.on_bar(ohlc(1, 100, 101, 99, 100, volume=1000)).fills
    assert f.price == D("100.25")  # 100 bps * 250/1000 = 25 bps


def test_volume_cap_splits_an_order_into_partial_fills() -> None:
    v = venue(max_volume_fraction="0.1")
    o = order(BUY, "150")
    v.submit(o)
    (first,) = v.on_bar(ohlc(1, 100, 101, 99, 100, volume=1000)).fills
    assert first.quantity == D(100)
    o.filled_quantity += first.quantity  # what the order manager does with the fill
    (second,) = v.on_bar(ohlc(2, 100, 101, 99, 100, volume=1000)).fills
    assert second.quantity == D(50)
    assert v.working_orders() == []


def test_buy_without_enough_cash_is_rejected_with_reason() -> None:
    v = venue(cash="100")
    v.submit(order(BUY, "2"))
    update = v.on_bar(ohlc(1, 100, 101, 99, 100))
    assert update.fills == []
    assert "insufficient funds" in update.rejections[0].reason


def test_spot_sell_needs_holdings() -> None:
    v = venue(held="1")
    v.submit(order(SELL, "2"))
    assert "insufficient BTC/USDT" in v.on_bar(ohlc(1, 100, 101, 99, 100)).rejections[0].reason


def test_margin_account_shorts_with_leverage_and_checks_margin() -> None:
    v = venue(cash="1000", account_type="margin", leverage=5)
    v.submit(order(SELL, "40"))  # 4,000 notional needs 800 margin at 5x
    assert v.on_bar(ohlc(1, 100, 101, 99, 100)).fills
    v.submit(order(SELL, "60"))  # 6,000 more needs 1,200: too much for 1,000 equity
    assert "insufficient margin" in v.on_bar(ohlc(2, 100, 101, 99, 100)).rejections[0].reason


def test_ioc_fills_what_it_can_then_expires_the_rest() -> None:
    v = venue(max_volume_fraction="0.01")
    v.submit(order(BUY, "15", time_in_force=TimeInForce.IOC))
    update = v.on_bar(ohlc(1, 100, 101, 99, 100, volume=1000))
    assert update.fills[0].quantity == D(10)
    assert "immediate-or-cancel" in update.expirations[0].reason


def test_fok_that_cannot_fill_entirely_expires_without_a_fill() -> None:
    v = venue(max_volume_fraction="0.01")
    v.submit(order(BUY, "15", time_in_force=TimeInForce.FOK))
    update = v.on_bar(ohlc(1, 100, 101, 99, 100, volume=1000))
    assert update.fills == [] and "fill-or-kill" in update.expirations[0].reason


def test_ioc_limit_not_reached_on_its_first_bar_expires() -> None:
    v = venue()
    v.submit(order(BUY, "1", OrderType.LIMIT, price=90, time_in_force=TimeInForce.IOC))
    assert v.on_bar(ohlc(1, 100, 101, 95, 100)).expirations


def test_reduce_only_is_clipped_to_the_position_and_canceled_when_flat() -> None:
    v = venue(held="3")
    v.submit(order(SELL, "5", reduce_only=True))
    (f,) = v.on_bar(ohlc(1, 100, 101, 99, 100)).fills
    assert f.quantity == D(3)
    flat = venue(held="0")
    flat.submit(order(SELL, "5", reduce_only=True))
    assert "nothing to reduce" in flat.on_bar(ohlc(1, 100, 101, 99, 100)).cancellations[0].reason


def test_resubmitting_the_same_client_order_id_does_not_duplicate() -> None:
    v = venue()
    o = order(BUY, "1")
    assert v.submit(o).venue_order_id == v.submit(o).venue_order_id
    assert len(v.on_bar(ohlc(1, 100, 101, 99, 100)).fills) == 1


def test_hedge_mode_is_required_for_position_sides() -> None:
    from tradestack.domain.enums import PositionSide

    result = venue().submit(order(BUY, "1", position_side=PositionSide.LONG))
    assert not result.accepted and "hedge-mode" in (result.reason or "")
    assert venue(hedge_mode=True).submit(order(BUY, "1", position_side=PositionSide.LONG)).accepted
