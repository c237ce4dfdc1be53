"""Closed trades and what they add up to, read from storage: the trades table, breakdowns, series.

The API, the CLI and the dashboard read these; the trades are split by the
same rules as backtest reports (``portfolio.trades``). Every PnL figure is net
of fees, with the gross beside it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import Decimal
from typing import Literal

from tradestack.analytics import metrics
from tradestack.domain.orders import Fill, Order
from tradestack.portfolio.trades import Trade, exit_reason, replay
from tradestack.storage.database import Database
from tradestack.storage.repositories.analytics import fills_between, fills_until
from tradestack.storage.repositories.orders import list_orders
from tradestack.storage.repositories.traders import list_traders

ZERO = Decimal(0)
Period = Literal["day", "week", "month"]


@dataclass(frozen=True, slots=True)
class TradePage:
    items: list[Trade]
    total: int
    limit: int
    offset: int


@dataclass(frozen=True, slots=True)
class GroupFigures:
    """The closed trades of one symbol, strategy or trader, summed up."""

    key: str
    trades: int
    wins: int
    win_rate: float | None
    profit_factor: float | None
    net_pnl: Decimal
    gross_pnl: Decimal
    fees: Decimal
    average_profit_pct: float | None
    average_duration_s: float | None


@dataclass(frozen=True, slots=True)
class PeriodProfit:
    start: date
    trades: int
    net_pnl: Decimal
    gross_pnl: Decimal
    fees: Decimal


async def load_trades(
    db: Database, *, trader_id: str | None = None, until: datetime | None = None
) -> list[Trade]:
    """Every closed trade of one trader (or all), oldest exit first, exit reasons from orders."""
    async with db.read() as connection:
        if trader_id is not None:
            fills: list[Fill] = await fills_until(connection, trader_id, until)
        else:
            fills = await fills_between(connection, None, until)
        orders = {
            o.client_order_id: o
            for o in await list_orders(connection, trader_id=trader_id, limit=10_000_000)
        }
    return trades_of(fills, orders)


def trades_of(fills: Sequence[Fill], orders: dict[str, Order]) -> list[Trade]:
    """Split ``fills`` into closed trades; an order's role gives each its exit reason."""
    return replay(fills, lambda f: exit_reason(orders.get(f.client_order_id))).trades


async def closed_trades(
    db: Database,
    *,
    trader_id: str | None = None,
    symbol: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> TradePage:
    """Closed trades newest exit first, with ``since <= exit_time < until``."""
    trades = [
        t
        for t in await load_trades(db, trader_id=trader_id, until=until)
        if (symbol is None or t.symbol == symbol) and (since is None or t.exit_time >= since)
    ]
    trades.reverse()
    return TradePage(trades[offset : offset + limit], len(trades), limit, offset)


def figures(key: str, trades: Sequence[Trade]) -> GroupFigures:
    """Win rate, profit factor, net and gross PnL, fees, averages of ``trades``."""
    pnls = [t.pnl for t in trades]
    count = len(trades)
    return GroupFigures(
        key=key,
        trades=count,
        wins=sum(1 for p in pnls if p > 0),
        win_rate=metrics.win_rate(pnls),
        profit_factor=metrics.profit_factor(pnls),
        net_pnl=sum(pnls, ZERO),
        gross_pnl=sum((t.gross_pnl for t in trades), ZERO),
        fees=sum((t.fees for t in trades), ZERO),
        average_profit_pct=sum(t.return_pct for t in trades) / count if count else None,
        average_duration_s=(
            sum(t.duration.total_seconds() for t in trades) / count if count else None
        ),
    )


def breakdown(trades: Sequence[Trade], key: Callable[[Trade], str]) -> list[GroupFigures]:
    """Figures per group (``key`` of each trade), best net PnL first."""
    groups: dict[str, list[Trade]] = {}
    for trade in trades:
        groups.setdefault(key(trade), []).append(trade)
    out = [figures(name, group) for name, group in groups.items()]
    return sorted(out, key=lambda g: g.net_pnl, reverse=True)


async def performance_by(
    db: Database, by: Literal["symbol", "strategy", "trader"]
) -> list[GroupFigures]:
    """Closed-trade figures of every trader, grouped by symbol, strategy or trader."""
    trades = await load_trades(db)
    if by == "symbol":
        return breakdown(trades, lambda t: t.symbol)
    if by == "trader":
        return breakdown(trades, lambda t: t.trader_id)
    async with db.read() as connection:
        strategy = {t.trader_id: t.strategy for t in await list_traders(connection)}
    return breakdown(trades, lambda t: strategy.get(t.trader_id, "?"))


def period_start(ts: datetime, period: Period, zone: tzinfo = UTC) -> date:
    """The day, the Monday or the first of the month ``ts`` falls in (in ``zone``)."""
    day = ts.astimezone(zone).date()
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    return day


def profit_series(
    trades: Sequence[Trade], period: Period = "day", zone: tzinfo = UTC
) -> list[PeriodProfit]:
    """Realised profit per day, week or month, by exit time, oldest first."""
    buckets: dict[date, list[Trade]] = {}
    for trade in trades:
        buckets.setdefault(period_start(trade.exit_time, period, zone), []).append(trade)
    return [
        PeriodProfit(
            start=start,
            trades=len(group),
            net_pnl=sum((t.pnl for t in group), ZERO),
            gross_pnl=sum((t.gross_pnl for t in group), ZERO),
            fees=sum((t.fees for t in group), ZERO),
        )
        for start, group in sorted(buckets.items())
    ]
