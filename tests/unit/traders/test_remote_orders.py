"""Order commands and replies survive a broker's JSON round trip; errors come back by kind."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import msgspec
import pytest

from tradestack.domain.commands import SubmitOrder
from tradestack.domain.enums import OrderSide, OrderType
from tradestack.domain.orders import Order
from tradestack.errors import ConflictError, NotFoundError
from tradestack.traders import remote_orders

TS = datetime(2026, 1, 1, tzinfo=UTC)


def over_the_wire(value: dict) -> dict:  # type: ignore[type-arg]
    return msgspec.json.decode(msgspec.json.encode(value))


async def test_command_and_order_round_trip() -> None:
    command = SubmitOrder(
        trader_id="t",
        symbol="BTC/USDT",
        side=OrderSide.BUY,
        quantity=Decimal("0.5"),
        type=OrderType.LIMIT,
        price=Decimal("100.25"),
    )
    assert (
        remote_orders.decode_command(over_the_wire(remote_orders.encode_command(command)))
        == command
    )
    order = Order(
        client_order_id="c1",
        trader_id="t",
        symbol="BTC/USDT",
        side=OrderSide.BUY,
        type=OrderType.LIMIT,
        quantity=Decimal("0.5"),
        price=Decimal("100.25"),
        created_at=TS,
        updated_at=TS,
    )

    async def place() -> Order:
        return order

    reply = over_the_wire(await remote_orders.answer(place))
    assert remote_orders.order_from_reply(reply) == order


@pytest.mark.parametrize("error", [NotFoundError("no trader"), ConflictError("not running")])
async def test_errors_come_back_as_the_same_kind(error: Exception) -> None:
    async def fail() -> Order:
        raise error

    reply = over_the_wire(await remote_orders.answer(fail))
    with pytest.raises(type(error), match=str(error)):
        remote_orders.order_from_reply(reply)
