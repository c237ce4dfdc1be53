from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.unit.factories import T0, fill
from tradestack.domain.enums import OrderSide, OrderStatus
from tradestack.errors import InvalidOrderTransitionError
from tradestack.execution.order_manager import OrderManager
from tradestack.execution.state_machine import TRANSITIONS, check_transition


def test_client_order_id_is_made_once_and_unique() -> None:
    om = OrderManager("alice")
    a = om.create(symbol="BTC/USDT", side=OrderSide.BUY, quantity=D(1), ts=T0)
    b = om.create(symbol="BTC/USDT", side=OrderSide.BUY, quantity=D(1), ts=T0)
    assert a.client_order_id != b.client_order_id
    assert a.client_order_id.startswith("alice-")


def test_fills_move_order_to_partially_filled_then_filled() -> None:
    om = OrderManager("alice")
    order = om.create(symbol="BTC/USDT", side=OrderSide.BUY, quantity=D(3), ts=T0)
    om.transition(order, OrderStatus.SUBMITTED, T0)
    first = fill(OrderSide.BUY, "1", "100")
    om.apply_fill(
        type(first)(
            **{
                **{f: getattr(first, f) for f in first.__struct_fields__},
                "client_order_id": order.client_order_id,
            }
        )
    )
    assert order.status is OrderStatus.PARTIALLY_FILLED
    second = fill(OrderSide.BUY, "2", "103", n=1)
    om.apply_fill(
        type(second)(
            **{
                **{f: getattr(second, f) for f in second.__struct_fields__},
                "client_order_id": order.client_order_id,
            }
        )
    )
    assert order.status is OrderStatus.FILLED
    assert order.average_fill_price == D(102)
    assert [c.status for c in om.drain_changes()] == [
        OrderStatus.NEW,
        OrderStatus.SUBMITTED,
        OrderStatus.PARTIALLY_FILLED,
        OrderStatus.FILLED,
    ]
    assert om.open_orders() == []


def test_illegal_transition_raises() -> None:
    om = OrderManager("alice")
    order = om.create(symbol="BTC/USDT", side=OrderSide.BUY, quantity=D(1), ts=T0)
    with pytest.raises(InvalidOrderTransitionError, match="NEW to FILLED"):
        om.transition(order, OrderStatus.FILLED, T0)


def test_zero_quantity_is_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        OrderManager("a").create(symbol="X", side=OrderSide.SELL, quantity=D(0), ts=T0)


@given(st.lists(st.sampled_from(list(OrderStatus)), max_size=8))
def test_no_path_leaves_a_terminal_status(path: list[OrderStatus]) -> None:
    status = OrderStatus.NEW
    for target in path:
        try:
            check_transition(status, target)
        except InvalidOrderTransitionError:
            assert target not in TRANSITIONS[status]
            continue
        assert status.is_open
        status = target
