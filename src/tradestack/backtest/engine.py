"""The event-driven engine: the live trading core, run over past bars on a simulated clock.

Its trader comes from the one builder (``system.builder``) in the backtest
mode: the very objects a paper trader uses (strategy, TraderContext with its
sizing, risk check and order manager, PaperVenue, Decimal Portfolio), fed
one bar at a time: no bus, no database, no clock
but the bars' own timestamps. Fills happen where the paper venue puts them,
at the next bar's open; a position still open at the end is closed at the
last bar's close and counted as a trade.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import numpy as np

from tradestack.backtest.config import BacktestConfig
from tradestack.backtest.result import BacktestResult
from tradestack.backtest.series import BarSeries
from tradestack.backtest.trades import TradeArrays, TradeBook
from tradestack.errors import ConfigError, DataImportError
from tradestack.strategy.base import Strategy
from tradestack.strategy.registry import create_strategy
from tradestack.system.builder import build_trader
from tradestack.system.modes import BACKTEST
from tradestack.system.trader import Trader
from tradestack.traders.spec import TraderSpec

if TYPE_CHECKING:
    from tradestack.marketdata.pipeline import Progress

TRADER_ID = "backtest"


def make_strategy(config: BacktestConfig) -> Strategy:
    """Instantiate the configured strategy; raise ConfigError for a bad parameter."""
    try:
        return create_strategy(config.strategy, config.params)
    except ValueError as error:
        raise ConfigError(str(error)) from None


def backtest_spec(config: BacktestConfig, symbol: str, timeframe: str) -> TraderSpec:
    """The trader a backtest runs: all-in on the configured cash, fee and lot size."""
    return TraderSpec(
        trader_id=TRADER_ID,
        strategy=config.strategy,
        params=dict(config.params),
        symbol=symbol,
        timeframe=timeframe,
        starting_cash=config.cash,
        allocation=config.allocation,
        lot_size=config.lot_size,
        paper={**config.paper, "fee_rate": config.fee_rate},
    )


def build_backtest_trader(config: BacktestConfig, symbol: str, timeframe: str) -> Trader:
    """Build the backtest's trader with the one builder, in the backtest mode."""
    try:
        return build_trader(backtest_spec(config, symbol, timeframe), None, mode=BACKTEST)
    except ValueError as error:
        raise ConfigError(str(error)) from None


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
    trader = build_backtest_trader(config, series.symbol, series.timeframe)
    context = trader.execution
    warmup = config.warmup_bars
    if len(series) <= warmup:
        raise DataImportError(f"{len(series)} bars are not enough for {warmup} warm-up bars")
    started = time.perf_counter()
    if warmup:
        context.warm_up(list(series.bars(0, warmup)))
    portfolio, symbol = context.portfolio, series.symbol
    book = TradeBook()
    changes: list[tuple[int, float, float]] = []
    # trader.on_bar unrolled (settle, strategy, act) when the strategy takes no callbacks:
    # one call fewer on each of a million bars. Progress is told once per chunk of bars.
    fast = not trader.strategy.observes
    settle, act, decide, on_bar = (
        context.settle,
        context.act,
        context.strategy.on_bar,
        trader.on_bar,
    )
    last = None
    total = len(series)
    if progress is not None:
        progress.begin(total - warmup, f"backtest {symbol} {series.timeframe}")
    for start in range(warmup, total, PROGRESS_EVERY_BARS):
        stop = min(start + PROGRESS_EVERY_BARS, total)
        for bar in series.bars(start, stop):
            fills = (act(settle(bar), decide(bar, context)) if fast else on_bar(bar)).fills
            if fills:
                index = context.bars_processed - 1
                for fill in fills:
                    book.add(fill, index)
                changes.append((index, float(portfolio.cash), float(portfolio.quantity(symbol))))
            last = bar
        if progress is not None:
            progress.advance(stop - start)
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
