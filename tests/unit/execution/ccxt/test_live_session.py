"""LiveSession: queued orders are sent after the bar; bracket legs wait for their entry."""

from __future__ import annotations

from decimal import Decimal

from tests.unit.execution.ccxt.binance_server import BinanceServer
from tests.unit.execution.ccxt.conftest import NOW, SYMBOL, TRADER, new_order
from tests.unit.factories import bar
from tradestack.domain.enums import OrderSide, OrderStatus, OrderType
from tradestack.execution.live_executor import LiveExecutor
from tradestack.execution.live_session import LiveSession
from tradestack.execution.order_manager import OrderManager
from tradestack.execution.reconciliation import apply_fills
from tradestack.execution.venues.queued import QueuedVenue
from tradestack.portfolio.ledger import Portfolio


async def test_take_profit_leg_is_sent_only_after_its_entry_fills(
    executor: LiveExecutor, orders: OrderManager, server: BinanceServer
) -> None:
    queue = QueuedVenue("ccxt:binance")
    session = LiveSession(executor, queue)
    portfolio = Portfolio(TRADER, cash=Decimal(10_000))
    entry = new_order(orders)
    leg = orders.create(
        symbol=SYMBOL,
        side=OrderSide.SELL,
        quantity=entry.quantity,
        ts=NOW,
        order_type=OrderType.LIMIT,
        price=Decimal(60_000),
        reduce_only=True,
        parent_order_id=entry.client_order_id,
        oco_group=entry.client_order_id,
    )
    assert queue.submit(entry).pending and queue.submit(leg).pending
    await session.after_bar(NOW)
    assert entry.status is OrderStatus.SUBMITTED and leg.status is OrderStatus.NEW
    assert server.posts() == 1

    await session.before_bar(SYMBOL, NOW)
    update = queue.on_bar(bar(1, 50_000.0))
    apply_fills(update.fills, orders, portfolio)
    assert entry.status is OrderStatus.FILLED
    await session.after_bar(NOW)
    assert leg.status is OrderStatus.SUBMITTED and server.posts() == 2
    assert server.by_client_id(leg.client_order_id)["side"] == "SELL"  # type: ignore[index]


async def test_cancel_of_a_queued_order_sends_nothing(
    executor: LiveExecutor, orders: OrderManager, server: BinanceServer
) -> None:
    queue = QueuedVenue("ccxt:binance")
    session = LiveSession(executor, queue)
    order = new_order(orders, price="40000")
    queue.submit(order)
    assert queue.cancel(order.client_order_id)
    await session.after_bar(NOW)
    assert server.posts() == 0


async def test_cancel_of_a_working_order_reaches_the_venue(
    executor: LiveExecutor, orders: OrderManager, server: BinanceServer
) -> None:
    queue = QueuedVenue("ccxt:binance")
    session = LiveSession(executor, queue)
    order = new_order(orders, price="40000")
    queue.submit(order)
    await session.after_bar(NOW)
    assert queue.cancel(order.client_order_id)
    orders.transition(
        order, OrderStatus.CANCELED, NOW, "replaced by a new signal"
    )  # as the core does
    await session.after_bar(NOW)
    assert server.by_client_id(order.client_order_id)["status"] == "CANCELED"  # type: ignore[index]
