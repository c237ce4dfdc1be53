"""Rows for every table, with the values that trip copies up: long decimals, NULLs,
microseconds, unicode, nested JSON."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from tradestack.storage.database import Database
from tradestack.storage.tables import (
    balances,
    bars,
    events,
    fills,
    orders,
    positions,
    signals,
    traders,
)

T0 = datetime(2026, 2, 1, 9, 30, 0, 123456, tzinfo=UTC)


def bar_rows(count: int, *, symbol: str = "BTC/USDT") -> list[dict[str, object]]:
    return [
        {
            "symbol": symbol,
            "timeframe": "1m",
            "ts": T0 + timedelta(minutes=i),
            "open": 100.0 + i * 0.1,
            "high": 101.0 + i * 0.1,
            "low": 99.0 + i * 0.1,
            "close": 100.5 + i * 0.1 + 1e-9,
            "volume": 10.0 + (i % 7),
            "source": "test",
        }
        for i in range(count)
    ]


def order_rows(count: int) -> list[dict[str, object]]:
    return [
        {
            "client_order_id": f"ord-{i:06d}" if i % 5 else f"Ördér-{i}",
            "trader_id": "alice" if i % 2 else "bob",
            "symbol": "BTC/USDT",
            "side": "BUY" if i % 3 else "SELL",
            "type": "MARKET" if i % 4 else "LIMIT",
            "time_in_force": "GTC",
            "quantity": Decimal("0.0012345678") + i,
            "price": None if i % 4 else Decimal("43210.1234567890"),
            "status": "FILLED" if i % 3 else "CANCELED",
            "filled_quantity": Decimal("0") if i % 3 == 0 else Decimal("0.0012345678") + i,
            "average_fill_price": Decimal("43000.5") if i % 3 else None,
            "venue_order_id": None,
            "reason": "ünïcode reason ✓" if i % 7 == 0 else None,
            "trace_id": f"trace-{i}",
            "created_at": T0 + timedelta(seconds=i),
            "updated_at": T0 + timedelta(seconds=i, microseconds=1),
        }
        for i in range(count)
    ]


async def fill_every_table(db: Database, *, bar_count: int = 300, order_count: int = 50) -> None:
    """Put rows in each core table (on any revision from 0001 on)."""
    async with db.transaction() as connection:
        await connection.execute(bars.insert(), bar_rows(bar_count))
        await connection.execute(orders.insert(), order_rows(order_count))
        await connection.execute(
            fills.insert(),
            [
                {
                    "trade_id": f"trade-{i}",
                    "client_order_id": f"ord-{i:06d}",
                    "trader_id": "alice",
                    "symbol": "BTC/USDT",
                    "side": "BUY",
                    "quantity": Decimal("0.5"),
                    "price": Decimal("43000.0000000001"),
                    "fee": Decimal("0.0215"),
                    "fee_asset": "USDT",
                    "liquidity": "TAKER",
                    "ts": T0 + timedelta(seconds=i),
                }
                for i in range(1, 20)
            ],
        )
        await connection.execute(
            positions.insert(),
            [
                {
                    "trader_id": trader,
                    "symbol": "BTC/USDT",
                    "quantity": Decimal("1.25"),
                    "average_price": Decimal("42000"),
                    "realized_pnl": Decimal("-12.3400000001"),
                    "fees_paid": Decimal("3.2"),
                    "last_price": None,
                    "updated_at": T0,
                }
                for trader in ("alice", "bob")
            ],
        )
        await connection.execute(
            balances.insert(),
            [
                {
                    "trader_id": "alice",
                    "asset": asset,
                    "free": Decimal("10000.0000000001"),
                    "locked": Decimal("0"),
                    "updated_at": T0,
                }
                for asset in ("USDT", "BTC")
            ],
        )
        await connection.execute(
            signals.insert(),
            [
                {
                    "trader_id": "alice",
                    "strategy": "sma_cross",
                    "symbol": "BTC/USDT",
                    "side": "BUY",
                    "confidence": 0.1 * i,
                    "price": 43000.25,
                    "ts": T0 + timedelta(minutes=i),
                }
                for i in range(10)
            ],
        )
        await connection.execute(
            events.insert(),
            [
                {
                    "event_id": f"evt-{i}",
                    "event_type": "order.filled",
                    "trace_id": f"trace-{i}",
                    "source_service": "exec-risk",
                    "trader_id": None if i % 2 else "alice",
                    "ts": T0 + timedelta(seconds=i),
                    "payload": {"qty": "0.5", "nested": {"b": [1, 2.5, None], "a": "é"}},
                }
                for i in range(10)
            ],
        )
        await connection.execute(
            traders.insert(),
            [
                {
                    "trader_id": "alice",
                    "strategy": "sma_cross",
                    "params": {"fast": 10, "slow": 30},
                    "symbol": "BTC/USDT",
                    "timeframe": "1m",
                    "status": "RUNNING",
                    "created_at": T0,
                    "updated_at": T0,
                }
            ],
        )


async def count(db: Database, table_name: str) -> int:
    table = {
        t.name: t for t in (bars, orders, fills, positions, balances, signals, events, traders)
    }
    async with db.read() as connection:
        return int(
            (
                await connection.execute(select(func.count()).select_from(table[table_name]))
            ).scalar_one()
        )
