"""LiveExecutor rules against ccxt's binance class and a local server that misbehaves on cue."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.unit.execution.ccxt.binance_server import BinanceServer
from tests.unit.execution.ccxt.conftest import NOW, SYMBOL, TRADER, new_order
from tradestack.domain.enums import OrderStatus
from tradestack.errors import VenueUnavailableError
from tradestack.execution.live_executor import LiveExecutor
from tradestack.execution.order_manager import OrderManager
from tradestack.execution.reconciliation import apply_fills
from tradestack.portfolio.ledger import Portfolio


def client_ids_sent(server: BinanceServer) -> list[str]:
    return [
        p["newClientOrderId"] for m, path, p in server.requests if (m, path) == ("POST", "order")
    ]


async def poll_and_apply(executor: LiveExecutor, portfolio: Portfolio) -> int:
    update = await executor.poll(SYMBOL, NOW)
    apply_fills(update.fills, executor.orders, portfolio)
    for notice in update.cancellations:
        executor.orders.transition(
            executor.orders.orders[notice.client_order_id], OrderStatus.CANCELED, NOW
        )
    return len(update.fills)


async def test_market_order_is_submitted_then_filled(
    executor: LiveExecutor, orders: OrderManager
) -> None:
    portfolio = Portfolio(TRADER, cash=Decimal(10_000))
    order = new_order(orders)
    await executor.submit(order, NOW)
    assert order.status is OrderStatus.SUBMITTED and order.venue_order_id is not None
    assert await poll_and_apply(executor, portfolio) == 1
    assert order.status is OrderStatus.FILLED
    assert portfolio.quantity(SYMBOL) == Decimal("0.01")
    assert portfolio.cash == Decimal(10_000) - Decimal(500) - Decimal("0.5")
    statuses = [c.status for c in orders.drain_changes()]
    assert statuses == [
        OrderStatus.NEW,
        OrderStatus.IN_FLIGHT,
        OrderStatus.SUBMITTED,
        OrderStatus.FILLED,
    ]


async def test_limit_order_fills_partly_then_is_canceled(
    executor: LiveExecutor, orders: OrderManager, server: BinanceServer
) -> None:
    portfolio = Portfolio(TRADER, cash=Decimal(10_000))
    order = new_order(orders, "0.02", price="40000")
    await executor.submit(order, NOW)
    server.fill(int(order.venue_order_id or 0), Decimal("0.005"))
    assert await poll_and_apply(executor, portfolio) == 1
    assert order.status is OrderStatus.PARTIALLY_FILLED
    await executor.cancel(order, NOW, "strategy changed its mind")
    assert order.status is OrderStatus.CANCELED and order.reason == "strategy changed its mind"
    assert server.by_client_id(order.client_order_id)["status"] == "CANCELED"  # type: ignore[index]
    assert portfolio.quantity(SYMBOL) == Decimal("0.005")


async def test_insufficient_funds_is_rejected_and_never_retried(
    executor: LiveExecutor, orders: OrderManager, server: BinanceServer
) -> None:
    order = new_order(orders, "1")
    await executor.submit(order, NOW)
    assert order.status is OrderStatus.REJECTED
    assert "insufficient" in (order.reason or "")
    assert server.posts() == 1
    assert not any(path == "order" and m == "GET" for m, path, _ in server.requests)


@pytest.mark.parametrize("fault", ["hang", "drop"], ids=["timeout-after-accept", "response-lost"])
async def test_unknown_outcome_is_looked_up_not_resent(
    executor: LiveExecutor, orders: OrderManager, server: BinanceServer, fault: str
) -> None:
    server.fail("POST", "order", fault)
    order = new_order(orders)
    await executor.submit(order, NOW)
    assert order.status is OrderStatus.SUBMITTED
    assert server.posts() == 1
    assert [o["clientOrderId"] for o in server.orders.values()] == [order.client_order_id]
    statuses = [c.status for c in orders.drain_changes()]
    assert OrderStatus.IN_FLIGHT in statuses and statuses[-1] is OrderStatus.SUBMITTED


async def test_order_the_venue_never_got_is_resent_once_with_the_same_id(
    executor: LiveExecutor, orders: OrderManager, server: BinanceServer
) -> None:
    server.fail("POST", "order", "lost")
    order = new_order(orders)
    await executor.submit(order, NOW)
    assert order.status is OrderStatus.SUBMITTED
    assert client_ids_sent(server) == [order.client_order_id] * 2
    assert len(server.orders) == 1


async def test_resend_is_bounded_when_the_venue_keeps_losing_it(
    executor: LiveExecutor, orders: OrderManager, server: BinanceServer
) -> None:
    server.fail("POST", "order", "lost", count=5)
    order = new_order(orders)
    await executor.submit(order, NOW)
    assert order.status is OrderStatus.REJECTED
    assert "not resent" in (order.reason or "")
    assert server.posts() == 2 and not server.orders


async def test_in_flight_order_waits_when_the_venue_cannot_be_asked(
    executor: LiveExecutor, orders: OrderManager, server: BinanceServer
) -> None:
    server.fail("POST", "order", "hang")
    server.fail("GET", "order", "429", count=executor.settings.read_retry.attempts)
    order = new_order(orders)
    await executor.submit(order, NOW)
    assert order.status is OrderStatus.IN_FLIGHT
    await executor.poll(SYMBOL, NOW)  # the venue answers again: the order is found
    assert order.status in (OrderStatus.SUBMITTED, OrderStatus.FILLED)
    assert server.posts() == 1


async def test_a_fill_reported_twice_changes_the_position_once(
    executor: LiveExecutor, orders: OrderManager, server: BinanceServer
) -> None:
    portfolio = Portfolio(TRADER, cash=Decimal(10_000))
    order = new_order(orders, "0.02", price="40000")
    await executor.submit(order, NOW)
    server.fill(int(order.venue_order_id or 0), Decimal("0.01"))
    assert await poll_and_apply(executor, portfolio) == 1
    assert await poll_and_apply(executor, portfolio) == 0  # myTrades reports it again
    reported = await executor.venue.fetch_fills(SYMBOL)
    assert executor.new_fills(reported + reported) == []
    assert portfolio.quantity(SYMBOL) == Decimal("0.01")
    assert order.filled_quantity == Decimal("0.01")


async def test_rate_limited_reads_are_retried(
    executor: LiveExecutor, orders: OrderManager, server: BinanceServer
) -> None:
    portfolio = Portfolio(TRADER, cash=Decimal(10_000))
    await executor.submit(new_order(orders), NOW)
    server.fail("GET", "myTrades", "429", count=2)
    server.fail("GET", "openOrders", "429", count=1)
    assert await poll_and_apply(executor, portfolio) == 1
    gets = [path for m, path, _ in server.requests if m == "GET"]
    assert gets.count("myTrades") == 3 and gets.count("openOrders") == 2


async def test_reads_give_up_after_bounded_retries(
    executor: LiveExecutor, orders: OrderManager, server: BinanceServer
) -> None:
    order = new_order(orders, price="40000")
    await executor.submit(order, NOW)
    server.fail("GET", "myTrades", "429", count=100)
    with pytest.raises(VenueUnavailableError):
        await executor.poll(SYMBOL, NOW)
    gets = [path for m, path, _ in server.requests if m == "GET"]
    assert gets.count("myTrades") == executor.settings.read_retry.attempts


async def test_venue_side_cancel_is_reported(
    executor: LiveExecutor, orders: OrderManager, server: BinanceServer
) -> None:
    portfolio = Portfolio(TRADER, cash=Decimal(10_000))
    order = new_order(orders, price="40000")
    await executor.submit(order, NOW)
    server.by_client_id(order.client_order_id)["status"] = "CANCELED"  # type: ignore[index]
    await poll_and_apply(executor, portfolio)
    assert order.status is OrderStatus.CANCELED
