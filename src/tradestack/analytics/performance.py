"""Performance of a trader or a strategy over a window, from stored fills, signals and equity.

A strategy's figures pool the fills of every trader running it, and its
equity curve is the sum of theirs (each carried forward to the other's
snapshot times).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal

from tradestack.analytics import metrics
from tradestack.domain.orders import Fill, Order
from tradestack.errors import NotFoundError
from tradestack.portfolio.trades import Trade, exit_reason, replay
from tradestack.storage.database import Database
from tradestack.storage.repositories.analytics import equity_between, fills_until, signal_prices
from tradestack.storage.repositories.orders import list_orders
from tradestack.storage.repositories.traders import get_trader, list_traders

ZERO = Decimal(0)
Curve = list[tuple[datetime, Decimal]]


@dataclass(slots=True)
class Performance:
    scope: str
    """``trader`` or ``strategy``."""
    name: str
    strategy: str | None
    start: datetime | None
    end: datetime
    trades: int = 0
    wins: int = 0
    win_rate: float | None = None
    profit_factor: float | None = None
    sharpe: float | None = None
    max_drawdown: Decimal = ZERO
    max_drawdown_pct: float = 0.0
    exposure_pct: float = 0.0
    net_pnl: Decimal = ZERO
    """Equity change over the window (realized and unrealized, after fees)."""
    realized_pnl: Decimal = ZERO
    """Sum of closed trades' PnL after fees."""
    fees_paid: Decimal = ZERO
    slippage_bps: float | None = None
    """Fill-notional-weighted slippage of signal-driven orders against the signal price."""
    equity_curve: Curve = field(default_factory=list)
    daily_pnl: list[tuple[date, Decimal]] = field(default_factory=list)


@dataclass(slots=True)
class _Inputs:
    fills: list[Fill] = field(default_factory=list)
    orders: dict[str, Order] = field(default_factory=dict)
    signals: dict[tuple[str, str, datetime], list[tuple[str, float]]] = field(default_factory=dict)
    """(trader, symbol, bar time) -> [(side, price)] of the signals made on that bar."""
    curves: list[Curve] = field(default_factory=list)


async def trader_performance(
    db: Database,
    trader_id: str,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    zone: tzinfo = UTC,
) -> Performance:
    """Figures of one trader over ``[start, end)`` (the whole history by default).

    Raises
    ------
    NotFoundError
        No trader has that name.
    """
    end = end or datetime.now(UTC)
    async with db.read() as connection:
        record = await get_trader(connection, trader_id)
    if record is None:
        raise NotFoundError(f"no trader named {trader_id!r}")
    inputs = await _load(db, [trader_id], start, end)
    return _compute("trader", trader_id, record.strategy, inputs, start, end, zone)


async def strategy_performance(
    db: Database,
    strategy: str,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    zone: tzinfo = UTC,
) -> Performance:
    """Figures of every trader running ``strategy``, pooled, over ``[start, end)``."""
    end = end or datetime.now(UTC)
    async with db.read() as connection:
        ids = [t.trader_id for t in await list_traders(connection) if t.strategy == strategy]
    inputs = await _load(db, ids, start, end)
    return _compute("strategy", strategy, strategy, inputs, start, end, zone)


async def _load(
    db: Database, trader_ids: Sequence[str], start: datetime | None, end: datetime
) -> _Inputs:
    inputs = _Inputs()
    async with db.read() as connection:
        for trader_id in trader_ids:
            inputs.fills.extend(await fills_until(connection, trader_id, end))
            for order in await list_orders(connection, trader_id=trader_id, limit=1_000_000):
                inputs.orders[order.client_order_id] = order
            for (symbol, ts), values in (await signal_prices(connection, trader_id, end)).items():
                inputs.signals[(trader_id, symbol, ts)] = values
            inputs.curves.append(await equity_between(connection, trader_id, start, end))
    inputs.fills.sort(key=lambda f: (f.ts, f.trade_id))
    return inputs


def _compute(
    scope: str,
    name: str,
    strategy: str | None,
    inputs: _Inputs,
    start: datetime | None,
    end: datetime,
    zone: tzinfo,
) -> Performance:
    perf = Performance(scope=scope, name=name, strategy=strategy, start=start, end=end)
    by_trader: dict[str, list[Fill]] = {}
    for fill in inputs.fills:
        by_trader.setdefault(fill.trader_id, []).append(fill)
    trades: list[Trade] = []
    intervals = []
    for fills in by_trader.values():
        history = replay(fills, lambda f: exit_reason(inputs.orders.get(f.client_order_id)))
        trades.extend(t for t in history.trades if _inside(t.closed_at, start, end))
        intervals.extend(history.in_market)
    in_window = [f for f in inputs.fills if _inside(f.ts, start, end)]
    pnls = [t.pnl for t in trades]
    perf.trades, perf.wins = len(pnls), sum(1 for p in pnls if p > 0)
    perf.win_rate, perf.profit_factor = metrics.win_rate(pnls), metrics.profit_factor(pnls)
    perf.realized_pnl = sum(pnls, ZERO)
    perf.fees_paid = sum((f.fee for f in in_window), ZERO)
    perf.slippage_bps = _slippage(in_window, inputs)
    curve = combine_curves(inputs.curves)
    perf.equity_curve = curve
    if curve:
        _from_curve(perf, curve, start, zone)
    if intervals:
        first = start or min(curve[0][0] if curve else end, inputs.fills[0].ts)
        perf.exposure_pct = metrics.exposure(intervals, first, end)
    return perf


def _from_curve(perf: Performance, curve: Curve, start: datetime | None, zone: tzinfo) -> None:
    """Net PnL, drawdown, daily PnL and Sharpe; ``curve[0]`` is the base the window starts from."""
    perf.net_pnl = curve[-1][1] - curve[0][1]
    perf.max_drawdown, perf.max_drawdown_pct = metrics.max_drawdown([e for _, e in curve])
    inside = [(ts, e) for ts, e in curve if start is None or ts >= start]
    closes = metrics.daily_closes(inside, zone)
    values = [curve[0][1]] + [close for _, close in closes]
    perf.daily_pnl = [
        (day, close - previous) for (day, close), previous in zip(closes, values, strict=False)
    ]
    perf.sharpe = metrics.sharpe_ratio(metrics.returns(values))


def _inside(ts: datetime, start: datetime | None, end: datetime) -> bool:
    return (start is None or ts >= start) and ts < end


def _slippage(fills: Sequence[Fill], inputs: _Inputs) -> float | None:
    """Weight each fill's slippage by its notional; only orders made on a signal's bar count."""
    weighted, notional = 0.0, ZERO
    for fill in fills:
        order = inputs.orders.get(fill.client_order_id)
        if order is None or order.parent_order_id is not None:
            continue
        candidates = inputs.signals.get((fill.trader_id, fill.symbol, order.created_at), [])
        prices = [p for side, p in candidates if side in (order.side.value, "CLOSE")]
        if not prices:
            continue
        reference = Decimal(repr(prices[-1]))
        size = fill.quantity * fill.price
        weighted += metrics.slippage_bps(fill.side, reference, fill.price) * float(size)
        notional += size
    return weighted / float(notional) if notional else None


def combine_curves(curves: Sequence[Curve]) -> Curve:
    """Sum equity curves, carrying each forward; start once every curve has a value."""
    curves = [c for c in curves if c]
    if len(curves) <= 1:
        return list(curves[0]) if curves else []
    times = sorted({ts for curve in curves for ts, _ in curve})
    latest: list[Decimal | None] = [None] * len(curves)
    positions = [0] * len(curves)
    out: Curve = []
    for ts in times:
        for i, curve in enumerate(curves):
            while positions[i] < len(curve) and curve[positions[i]][0] <= ts:
                latest[i] = curve[positions[i]][1]
                positions[i] += 1
        if all(value is not None for value in latest):
            out.append((ts, sum((v for v in latest if v is not None), ZERO)))
    return out
