"""The event-driven engine: the live trading core, run over past bars on a simulated clock.

It assembles the very objects a paper trader uses (strategy, TraderContext
with its sizing, risk check and order manager, PaperVenue, Decimal
Portfolio) and feeds them one bar at a time: no bus, no database, no clock
but the bars' own timestamps. Fills happen where the paper venue puts them,
at the next bar's open; a position still open at the end is closed at the
last bar's close and counted as a trade.
"""

from __future__ import annotations

import time
from decimal import Decimal
from typing import TYPE_CHECKING

import numpy as np

from tradestack.backtest.config import BacktestConfig
from tradestack.backtest.result import BacktestResult
from tradestack.backtest.series import BarSeries
from tradestack.backtest.trades import TradeArrays, TradeBook
from tradestack.errors import ConfigError, DataImportError
from tradestack.execution.venues.paper import PaperVenue
from tradestack.portfolio.ledger import Portfolio
from tradestack.risk.rules import RiskLimits
from tradestack.strategy.base import Strategy
from tradestack.strategy.registry import create_strategy
from tradestack.traders.context import Sizing, TraderContext

if TYPE_CHECKING:
    from tradestack.marketdata.pipeline import Progress

TRADER_ID = "backtest"
NO_LIMIT = RiskLimits(max_position_size_usd=Decimal("Infinity"))


def make_strategy(config: BacktestConfig) -> Strategy:
    """Instantiate the configured strategy; raise ConfigError for a bad parameter."""
    try:
        return create_strategy(config.strategy, config.params)
    except ValueError as error:
        raise ConfigError(str(error)) from None


def build_context(
    config: BacktestConfig,
    *,
    quote_asset: str = "USD",
    risk_limits: RiskLimits = NO_LIMIT,
    trader_id: str = TRADER_ID,
) -> TraderContext:
    """Assemble a paper trader as the kernel does, sized all-in at the fill price."""
    strategy = make_strategy(config)
    portfolio = Portfolio(trader_id, cash=config.cash, quote_asset=quote_asset)
    venue = PaperVenue(
        fee_rate=config.fee_rate,
        cash=lambda: portfolio.cash,
        holdings=portfolio.quantity,
        allow_short=strategy.allow_short,
        quote_asset=quote_asset,
    )
    return TraderContext(
        trader_id=trader_id,
        strategy=strategy,
        portfolio=portfolio,
        venue=venue,
        risk_limits=risk_limits,
        sizing=Sizing(
            allocation=Decimal(1),
            lot_size=config.lot_size,
            fee_rate=config.fee_rate,
            at_fill_price=True,
        ),
    )


PROGRESS_EVERY_BARS = 10_000


def run_event(
    series: BarSeries, config: BacktestConfig, progress: Progress | None = None
) -> BacktestResult:
    """Run ``config`` over ``series`` bar by bar through TraderContext.

    ``progress`` (a progress bar) hears of every ``PROGRESS_EVERY_BARS`` bars.

    Raises
    ------
    ConfigError
        Unknown strategy parameter or inconsistent parameters.
    DataImportError
        Fewer bars than the warm-up plus one.
    """
    context = build_context(config)
    warmup = config.warmup_bars
    if len(series) <= warmup:
        raise DataImportError(f"{len(series)} bars are not enough for {warmup} warm-up bars")
    started = time.perf_counter()
    if warmup:
        context.warm_up(list(series.bars(0, warmup)))
    portfolio, symbol = context.portfolio, series.symbol
    book = TradeBook()
    changes: list[tuple[int, float, float]] = []
    on_bar = context.on_bar
    last = None
    if progress is not None:
        progress.begin(len(series) - warmup, f"backtest {symbol} {series.timeframe}")
    for count, bar in enumerate(series.bars(warmup), 1):
        if progress is not None and count % PROGRESS_EVERY_BARS == 0:
            progress.advance(PROGRESS_EVERY_BARS)
        fills = on_bar(bar).fills
        if fills:
            index = context.bars_processed - 1
            for fill in fills:
                book.add(fill, index)
            changes.append((index, float(portfolio.cash), float(portfolio.quantity(symbol))))
        last = bar
    assert last is not None
    closing = context.close_positions(last)
    if closing.fills:
        index = context.bars_processed - 1
        for fill in closing.fills:
            book.add(fill, index)
        changes.append((index, float(portfolio.cash), float(portfolio.quantity(symbol))))
    closes = series.close[warmup:]
    equity, position = _curves(changes, closes, float(config.cash))
    return BacktestResult(
        engine="event",
        config=config,
        series=series,
        equity=equity,
        position=position,
        trade_arrays=TradeArrays.from_trades(book.trades),
        final_equity=portfolio.equity,
        fees=portfolio.fees_paid,
        elapsed_s=time.perf_counter() - started,
        _trades=book.trades,
    )


def _curves(
    changes: list[tuple[int, float, float]], closes: np.ndarray, cash: float
) -> tuple[np.ndarray, np.ndarray]:
    """Equity and position per bar from the bars where cash or position changed."""
    cash_at = np.full(len(closes), cash)
    held_at = np.zeros(len(closes))
    if changes:
        index = np.array([c[0] for c in changes], dtype=np.int64)
        slot = np.searchsorted(index, np.arange(len(closes)), side="right") - 1
        known = slot >= 0
        cash_at[known] = np.array([c[1] for c in changes])[slot[known]]
        held_at[known] = np.array([c[2] for c in changes])[slot[known]]
    return cash_at + held_at * closes, held_at
