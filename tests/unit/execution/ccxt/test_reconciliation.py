"""Reconciliation on start, against ccxt's binance class and a local binance-speaking server.

Each test plays a first run with one executor, then a "restart": a fresh
venue, executor, order manager and portfolio that know only what storage
would hold (copies of the orders and the portfolio as they were saved).
"""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from decimal import Decimal

import pytest

from tests.unit.execution.ccxt.binance_server import BinanceServer
from tests.unit.execution.ccxt.conftest import FAST, NOW, SYMBOL, TRADER, new_order, venue_config
from tradestack.domain.enums import OrderStatus
from tradestack.domain.orders import Order
from tradestack.execution.live_executor import LiveExecutor
from tradestack.execution.order_manager import OrderManager
from tradestack.execution.reconciliation import (
    OrphanPolicy,
    OrphanScope,
    Reconciler,
    ReconciliationSettings,
)
from tradestack.execution.venues.ccxt import CcxtVenue, build_ccxt_venue
from tradestack.portfolio.ledger import Portfolio


@pytest.fixture
async def restarted(server: BinanceServer) -> AsyncIterator[CcxtVenue]:
    """A second venue connection, as a restarted process would open."""
    venue = build_ccxt_venue(venue_config(server), trader_id=TRADER)
    await venue.connect()
    try:
        yield venue
    finally:
        await venue.close()


def restart(
    venue: CcxtVenue,
    stored: list[Order],
    portfolio: Portfolio | None = None,
    settings: ReconciliationSettings | None = None,
) -> Reconciler:
    orders = OrderManager(TRADER)
    for order in stored:
        orders.adopt(copy.deepcopy(order))
    executor = LiveExecutor(venue, orders, settings=FAST)
    return Reconciler(
        executor=executor,
        portfolio=portfolio or Portfolio(TRADER, cash=Decimal(10_000)),
        symbols=[SYMBOL],
        settings=settings,
    )


async def test_fill_that_happened_while_down_is_applied_once(
    executor: LiveExecutor, orders: OrderManager, server: BinanceServer, restarted: CcxtVenue
) -> None:
    order = new_order(orders, "0.02", price="40000")
    await executor.submit(order, NOW)
    stored = [copy.deepcopy(order)]
    server.fill(int(order.venue_order_id or 0))  # while we are down

    reconciler = restart(restarted, stored)
    result = await reconciler.run(NOW)
    assert result.ok, result.reason
    assert [f.quantity for f in result.fills] == [Decimal("0.02")]
    assert reconciler.portfolio.quantity(SYMBOL) == Decimal("0.02")
    assert [c.status for c in result.order_changes] == [OrderStatus.FILLED]
    assert result.matched == [] and "closed" in result.resolved[0]
    assert server.posts() == 1

    again = await reconciler.run(NOW)  # a second pass finds nothing new
    assert (
        again.ok and again.fills == [] and reconciler.portfolio.quantity(SYMBOL) == Decimal("0.02")
    )


async def test_working_order_is_matched_and_left_working(
    executor: LiveExecutor, orders: OrderManager, server: BinanceServer, restarted: CcxtVenue
) -> None:
    order = new_order(orders, price="40000")
    await executor.submit(order, NOW)
    reconciler = restart(restarted, [order])
    result = await reconciler.run(NOW)
    assert result.ok and result.matched == [order.client_order_id]
    assert reconciler.orders.orders[order.client_order_id].status is OrderStatus.SUBMITTED
    assert result.order_changes == [] and server.posts() == 1


async def test_unreadable_venue_fails_and_is_never_taken_as_flat(
    executor: LiveExecutor, orders: OrderManager, server: BinanceServer, restarted: CcxtVenue
) -> None:
    order = new_order(orders, price="40000")
    await executor.submit(order, NOW)
    portfolio = Portfolio(TRADER, cash=Decimal(10_000))
    server.fail("GET", "openOrders", "429", count=100)
    reconciler = restart(restarted, [order], portfolio)
    result = await reconciler.run(NOW)
    assert not result.ok
    assert "open orders" in (result.reason or "") and "not assuming flat" in (result.reason or "")
    assert result.order_changes == [] and result.fills == []
    assert reconciler.orders.orders[order.client_order_id].status is OrderStatus.SUBMITTED


async def test_unreadable_balance_also_fails(server: BinanceServer, restarted: CcxtVenue) -> None:
    server.fail("GET", "account", "drop", count=100)
    result = await restart(restarted, []).run(NOW)
    assert not result.ok and "balances" in (result.reason or "")


async def test_restart_never_resubmits_an_order_in_flight(
    orders: OrderManager, server: BinanceServer, restarted: CcxtVenue
) -> None:
    lost = new_order(orders)  # the process died after writing it IN_FLIGHT, before sending
    orders.transition(lost, OrderStatus.IN_FLIGHT, NOW)
    result = await restart(restarted, [lost]).run(NOW)
    assert result.ok
    assert [(c.status, c.reason) for c in result.order_changes] == [
        (OrderStatus.REJECTED, "the venue has no such order; a restart never re-submits")
    ]
    assert server.posts() == 0


async def test_restart_finds_an_in_flight_order_the_venue_accepted(
    executor: LiveExecutor, orders: OrderManager, server: BinanceServer, restarted: CcxtVenue
) -> None:
    sent = new_order(orders, price="40000")
    stored = copy.deepcopy(sent)
    orders.transition(stored, OrderStatus.IN_FLIGHT, NOW)  # saved IN_FLIGHT, then died
    await executor.venue.submit(sent)  # ... but the venue got it
    reconciler = restart(restarted, [stored])
    result = await reconciler.run(NOW)
    assert result.ok and result.matched == [sent.client_order_id]
    assert reconciler.orders.orders[sent.client_order_id].status is OrderStatus.SUBMITTED
    assert server.posts() == 1


@pytest.mark.parametrize("policy", list(OrphanPolicy))
async def test_orphan_of_ours_is_adopted_or_canceled_by_policy(
    server: BinanceServer, restarted: CcxtVenue, policy: OrphanPolicy
) -> None:
    orphan_id = server.add_order(
        f"{TRADER}-0123456789abcdef01234567", "BUY", Decimal("0.01"), Decimal(40_000)
    )
    foreign_id = server.add_order("manual-order-1", "BUY", Decimal("0.01"), Decimal(39_000))
    reconciler = restart(restarted, [], settings=ReconciliationSettings(orphan_policy=policy))
    result = await reconciler.run(NOW)
    assert result.ok and result.foreign == ["manual-order-1"]
    assert server.orders[foreign_id]["status"] == "NEW"
    if policy is OrphanPolicy.ADOPT:
        assert result.adopted == [f"{TRADER}-0123456789abcdef01234567"]
        assert server.orders[orphan_id]["status"] == "NEW"
        assert reconciler.orders.open_orders()[0].venue_order_id == str(orphan_id)
    else:
        assert result.canceled == [f"{TRADER}-0123456789abcdef01234567"]
        assert server.orders[orphan_id]["status"] == "CANCELED"
    assert server.posts() == 0


async def test_symbol_scope_treats_every_unknown_order_as_an_orphan(
    server: BinanceServer, restarted: CcxtVenue
) -> None:
    foreign_id = server.add_order("manual-order-1", "BUY", Decimal("0.01"), Decimal(39_000))
    settings = ReconciliationSettings(orphan_scope=OrphanScope.SYMBOL)
    result = await restart(restarted, [], settings=settings).run(NOW)
    assert result.canceled == ["manual-order-1"]
    assert server.orders[foreign_id]["status"] == "CANCELED"


async def test_position_larger_than_the_account_fails(
    server: BinanceServer, restarted: CcxtVenue
) -> None:
    portfolio = Portfolio(TRADER, cash=Decimal(10_000))
    portfolio.position(SYMBOL).quantity = Decimal(1)
    result = await restart(restarted, [], portfolio).run(NOW)
    assert not result.ok
    assert "holds 1 BTC but the venue account has 0" in (result.reason or "")


async def test_surplus_at_the_venue_is_reported_not_fatal(
    server: BinanceServer, restarted: CcxtVenue
) -> None:
    server.balances["BTC"][0] = Decimal("0.5")
    result = await restart(restarted, []).run(NOW)
    assert result.ok and result.notes == ["venue holds 0.5 BTC; the trader holds 0"]
