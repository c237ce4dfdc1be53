"""Positions of every trader, marked to the newest stored price."""

from __future__ import annotations

from fastapi import APIRouter

from tradestack.api.deps import DatabaseDep
from tradestack.api.schemas import PositionOut
from tradestack.portfolio.queries import find_positions

router = APIRouter(tags=["trading"])


@router.get("/positions", response_model=list[PositionOut])
async def get_positions(
    db: DatabaseDep, trader_id: str | None = None, open_only: bool = False
) -> list[PositionOut]:
    return [
        PositionOut(
            trader_id=p.trader_id,
            symbol=p.symbol,
            quantity=p.quantity,
            average_price=p.average_price,
            last_price=p.last_price,
            realized_pnl=p.realized_pnl,
            unrealized_pnl=p.unrealized_pnl,
            fees_paid=p.fees_paid,
            updated_at=p.updated_at,
        )
        for p in await find_positions(db, trader_id=trader_id, open_only=open_only)
    ]
