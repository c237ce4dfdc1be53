"""Trader records: which strategy, parameters and market each trader runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from tradestack.storage.database import upsert
from tradestack.storage.tables import traders


@dataclass(frozen=True, slots=True)
class TraderRecord:
    trader_id: str
    strategy: str
    params: dict[str, Any]
    symbol: str
    timeframe: str
    status: str
    created_at: datetime
    updated_at: datetime
    account_id: str = "default"
    config: dict[str, Any] | None = None


async def save_trader(connection: AsyncConnection, record: TraderRecord) -> None:
    row = {
        "trader_id": record.trader_id,
        "strategy": record.strategy,
        "params": record.params,
        "symbol": record.symbol,
        "timeframe": record.timeframe,
        "status": record.status,
        "account_id": record.account_id,
        "config": record.config,
        "created_at": record.created_at,
        "updated_at": datetime.now(UTC),
    }
    await upsert(connection, traders, [row], keys=["trader_id"])


async def get_trader(connection: AsyncConnection, trader_id: str) -> TraderRecord | None:
    row = (
        await connection.execute(select(traders).where(traders.c.trader_id == trader_id))
    ).first()
    return TraderRecord(**row._mapping) if row is not None else None


async def delete_trader(connection: AsyncConnection, trader_id: str) -> bool:
    result = await connection.execute(traders.delete().where(traders.c.trader_id == trader_id))
    return bool(result.rowcount)


async def list_traders(connection: AsyncConnection) -> list[TraderRecord]:
    rows = (await connection.execute(select(traders).order_by(traders.c.trader_id))).all()
    return [TraderRecord(**row._mapping) for row in rows]
