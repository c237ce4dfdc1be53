"""A small, hand-checkable trading history stored through the repositories."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from tradestack.domain.enums import OrderSide, OrderStatus, OrderType, SignalSide
from tradestack.domain.orders import Fill, Order
from tradestack.domain.signals import Signal
from tradestack.storage.database import Database
from tradestack.storage.repositories.journal import insert_signals
from tradestack.storage.repositories.orders import insert_fill, save_order
from tradestack.storage.repositories.portfolio import insert_equity_snapshot
from tradestack.storage.repositories.traders import TraderRecord, save_trader

D = Decimal
DAY1 = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 1, 4 + day, hour, minute, tzinfo=UTC)


EQUITY = [
    (at(1, 0), "10000"),
    (at(1, 12), "10100"),
    (at(1, 23, 55), "10050"),
    (at(2, 12), "9950"),
    (at(2, 23, 55), "10200"),
]


async def seed_alice(db: Database, trader_id: str = "alice") -> None:
    """Buy 1 at 100.05 on a 100.00 signal (day 1), sell 1 at 109.89 on a 110.00 signal (day 2)."""
    now = at(1, 0)
    trades = [
        (1, OrderSide.BUY, SignalSide.BUY, "100.05", 100.0, "0.1", at(1, 10)),
        (2, OrderSide.SELL, SignalSide.SELL, "109.89", 110.0, "0.11", at(2, 10)),
    ]
    async with db.transaction() as connection:
        await save_trader(
            connection,
            TraderRecord(trader_id, "sma_cross", {}, "BTC/USDT", "1m", "active", now, now),
        )
        for n, side, signal_side, price, signal_price, fee, ts in trades:
            order_id = f"{trader_id}-{n}"
            await insert_signals(
                connection,
                [Signal("BTC/USDT", signal_side, 1.0, "sma_cross", trader_id, ts, signal_price)],
            )
            await save_order(
                connection,
                Order(
                    client_order_id=order_id,
                    trader_id=trader_id,
                    symbol="BTC/USDT",
                    side=side,
                    type=OrderType.MARKET,
                    quantity=D(1),
                    status=OrderStatus.FILLED,
                    filled_quantity=D(1),
                    average_fill_price=D(price),
                    created_at=ts,
                    updated_at=ts,
                ),
            )
            await insert_fill(
                connection,
                Fill(
                    trade_id=f"{order_id}-fill",
                    client_order_id=order_id,
                    trader_id=trader_id,
                    symbol="BTC/USDT",
                    side=side,
                    quantity=D(1),
                    price=D(price),
                    fee=D(fee),
                    fee_asset="USDT",
                    ts=ts,
                ),
            )
        for ts, equity in EQUITY:
            await insert_equity_snapshot(
                connection,
                trader_id,
                ts,
                equity=D(equity),
                cash=D(equity),
                realized_pnl=D(0),
                unrealized_pnl=D(0),
            )
