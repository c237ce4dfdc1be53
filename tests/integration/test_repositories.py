"""Repositories behave the same on SQLite and on the real PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import pytest

from tests.conftest import BACKENDS
from tradestack.domain.enums import OrderSide, OrderStatus, OrderType
from tradestack.domain.orders import Fill, Order
from tradestack.domain.positions import Position
from tradestack.marketdata.synthetic import SyntheticMarket
from tradestack.storage.database import Database
from tradestack.storage.repositories.bars import (
    bars_between,
    count_bars,
    insert_bars,
    last_bar_time,
    recent_bars,
)
from tradestack.storage.repositories.orders import (
    count_orders,
    insert_fill,
    list_orders,
    save_order,
)
from tradestack.storage.repositories.portfolio import (
    list_balances,
    list_positions,
    save_balance,
    save_position,
)

pytestmark = pytest.mark.parametrize("empty_database_url", BACKENDS, indirect=True)
T0 = datetime(2026, 3, 1, tzinfo=UTC)


async def test_bar_insert_is_idempotent_and_reads_back_aware_utc(database: Database) -> None:
    bars = SyntheticMarket().bars("BTC/USDT", "1m", T0, 1000)
    async with database.transaction() as connection:
        assert await insert_bars(connection, bars, source="synthetic") == 1000
    async with database.transaction() as connection:
        assert (
            await insert_bars(
                connection,
                bars[500:]
                + SyntheticMarket().bars("BTC/USDT", "1m", T0 + timedelta(minutes=1000), 10),
                source="synthetic",
            )
            == 10
        )
    async with database.read() as connection:
        assert await count_bars(connection, "BTC/USDT", "1m") == 1010
        assert await last_bar_time(connection, "BTC/USDT", "1m") == T0 + timedelta(minutes=1009)
        newest = await recent_bars(connection, "BTC/USDT", "1m", limit=3)
        window = await bars_between(
            connection, "BTC/USDT", "1m", start=T0, end=T0 + timedelta(minutes=5)
        )
    assert [b.ts for b in newest] == [T0 + timedelta(minutes=m) for m in (1007, 1008, 1009)]
    assert newest[0].ts.tzinfo is not None
    assert window == bars[:5]


async def test_order_state_changes_are_upserts_and_money_is_exact(database: Database) -> None:
    order = Order(
        client_order_id="alice-1",
        trader_id="alice",
        symbol="BTC/USDT",
        side=OrderSide.BUY,
        type=OrderType.MARKET,
        quantity=D("0.1234567891"),
        created_at=T0,
        updated_at=T0,
    )
    async with database.transaction() as connection:
        await save_order(connection, order)
        order.status = OrderStatus.FILLED
        order.filled_quantity = order.quantity
        order.average_fill_price = D("43210.9876543210")
        await save_order(connection, order)
    async with database.read() as connection:
        (stored,) = await list_orders(connection, trader_id="alice")
        assert await count_orders(connection, status=OrderStatus.FILLED) == 1
    assert stored.status is OrderStatus.FILLED
    assert stored.quantity == D("0.1234567891")
    assert stored.average_fill_price == D("43210.9876543210")


async def test_a_fill_is_stored_once_per_trade_id(database: Database) -> None:
    fill = Fill(
        trade_id="T1",
        client_order_id="alice-1",
        trader_id="alice",
        symbol="BTC/USDT",
        side=OrderSide.BUY,
        quantity=D(1),
        price=D(100),
        fee=D("0.1"),
        fee_asset="USDT",
        ts=T0,
    )
    async with database.transaction() as connection:
        assert await insert_fill(connection, fill) is True
        assert await insert_fill(connection, fill) is False


async def test_positions_and_balances_round_trip(database: Database) -> None:
    position = Position(
        trader_id="alice",
        symbol="BTC/USDT",
        quantity=D("-0.5"),
        average_price=D("30000.12"),
        realized_pnl=D("12.3456789012"),
        fees_paid=D("1.5"),
        updated_at=T0,
    )
    async with database.transaction() as connection:
        await save_position(connection, position)
        await save_balance(
            connection, "alice", "USDT", free=D("9999999999.1234567891"), locked=D(0)
        )
    async with database.read() as connection:
        (stored,) = await list_positions(connection, trader_id="alice", open_only=True)
        balances = await list_balances(connection, trader_id="alice")
    assert stored.quantity == D("-0.5") and stored.realized_pnl == D("12.3456789012")
    assert balances["alice"]["USDT"] == (D("9999999999.1234567891"), D(0))
