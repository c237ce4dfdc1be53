"""Trades: the fills of every trader and the closed round trips, newest first, paginated."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Query

from tradestack.analytics.results import closed_trades
from tradestack.api.deps import DatabaseDep
from tradestack.api.errors import error_responses
from tradestack.api.schemas import ClosedTradeOut, ClosedTradePage, FillOut, TradePage
from tradestack.display.records import trade_fields
from tradestack.domain.enums import OrderSide
from tradestack.domain.timeframes import symbol_from_path
from tradestack.execution.queries import find_fills
from tradestack.portfolio.trades import Trade

router = APIRouter(tags=["trading"])


@router.get("/trades", response_model=TradePage, responses=error_responses(401, 403, 422, 429))
async def get_trades(
    db: DatabaseDep,
    trader_id: str | None = None,
    symbol: str | None = Query(None, description="BTC/USDT or BTC-USDT"),
    side: OrderSide | None = None,
    client_order_id: str | None = Query(None, description="the fills of one order"),
    since: datetime | None = Query(None, description="inclusive, ISO 8601 (naive means UTC)"),
    until: datetime | None = Query(None, description="exclusive, ISO 8601 (naive means UTC)"),
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=1_000_000_000),  # a larger one overflows SQL integers
) -> TradePage:
    """Fills (executions) newest first."""
    found = await find_fills(
        db,
        trader_id=trader_id,
        symbol=symbol_from_path(symbol) if symbol else None,
        side=side,
        client_order_id=client_order_id,
        since=_utc(since),
        until=_utc(until),
        limit=limit,
        offset=offset,
    )
    items = [
        FillOut(
            trade_id=f.trade_id,
            client_order_id=f.client_order_id,
            trader_id=f.trader_id,
            symbol=f.symbol,
            side=f.side.value,
            quantity=f.quantity,
            price=f.price,
            fee=f.fee,
            fee_asset=f.fee_asset,
            liquidity=f.liquidity,
            position_side=f.position_side.value,
            ts=f.ts,
        )
        for f in found
    ]
    return TradePage(items=items, limit=limit, offset=offset)


@router.get(
    "/trades/closed",
    response_model=ClosedTradePage,
    responses=error_responses(401, 403, 422, 429),
)
async def get_closed_trades(
    db: DatabaseDep,
    trader_id: str | None = None,
    symbol: str | None = Query(None, description="BTC/USDT or BTC-USDT"),
    since: datetime | None = Query(None, description="exit at or after, ISO 8601 (UTC if naive)"),
    until: datetime | None = Query(None, description="exit before, ISO 8601 (UTC if naive)"),
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
) -> ClosedTradePage:
    """Closed trades (round trips) newest exit first: net PnL after fees, gross beside it."""
    page = await closed_trades(
        db,
        trader_id=trader_id,
        symbol=symbol_from_path(symbol) if symbol else None,
        since=_utc(since),
        until=_utc(until),
        limit=limit,
        offset=offset,
    )
    return ClosedTradePage(
        items=[closed_trade_out(t) for t in page.items],
        total=page.total,
        limit=limit,
        offset=offset,
    )


def closed_trade_out(trade: Trade) -> ClosedTradeOut:
    return ClosedTradeOut(
        trader_id=trade.trader_id,
        symbol=trade.symbol,
        side=trade.side,
        entry_time=trade.entry_time,
        exit_time=trade.exit_time,
        entry_price=trade.entry_price,
        exit_price=trade.exit_price,
        quantity=trade.size,
        gross_pnl=trade.gross_pnl,
        fees=trade.fees,
        net_pnl=trade.pnl,
        profit_pct=round(trade.return_pct, 4),
        duration_s=trade.duration.total_seconds(),
        exit_reason=trade.exit_reason,
        display=trade_fields(trade),
    )


def _utc(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)
