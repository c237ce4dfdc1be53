"""Backtest one strategy over several symbols at once: the series merged by time, one trader.

The bars of every series are merged in (time, symbol) order and fed to one
TraderContext with one paper venue and one portfolio, as a paper trader
receiving several series would see them. A v2 strategy keeps a window per
symbol and can read the others' (``data.history(symbol=...)``) up to the bars
already seen, so no symbol's future leaks into another. Size with targets
(``data.target(percent=...)``): all-in sizing would put all the cash on the
first symbol that signals. Positions open at the end are closed at each
symbol's last close.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from tradestack.backtest.config import BacktestConfig
from tradestack.backtest.series import BarSeries
from tradestack.backtest.trades import Trade, TradeBook
from tradestack.domain.market import Bar
from tradestack.errors import ConfigError, DataImportError
from tradestack.execution.venues.paper import PaperVenue
from tradestack.portfolio.ledger import Portfolio
from tradestack.risk.rules import RiskLimits
from tradestack.strategy.registry import create_strategy
from tradestack.traders.context import Sizing, TraderContext

NO_LIMIT = RiskLimits(max_position_size_usd=Decimal("Infinity"))


@dataclass(frozen=True, slots=True)
class MultiSymbolResult:
    trades: dict[str, list[Trade]]
    final_equity: Decimal
    fees: Decimal
    bars: int


def merged_bars(series: Sequence[BarSeries]) -> list[Bar]:
    """Every bar of every series, in (time, symbol) order."""
    symbols = [s.symbol for s in series]
    if len(set(symbols)) != len(symbols):
        raise DataImportError(f"one series per symbol, got {', '.join(symbols)}")
    return list(heapq.merge(*(s.bars() for s in series), key=lambda b: (b.ts, b.symbol)))


def run_multi_symbol(series: Sequence[BarSeries], config: BacktestConfig) -> MultiSymbolResult:
    """Run ``config``'s strategy over all ``series`` through one paper trader."""
    try:
        strategy = create_strategy(config.strategy, config.params)
    except ValueError as error:
        raise ConfigError(str(error)) from None
    portfolio = Portfolio("backtest", cash=config.cash, quote_asset="USD")
    venue = PaperVenue(
        fee_rate=config.fee_rate,
        cash=lambda: portfolio.cash,
        holdings=portfolio.quantity,
        allow_short=strategy.allow_short,
        quote_asset="USD",
    )
    context = TraderContext(
        trader_id="backtest",
        strategy=strategy,
        portfolio=portfolio,
        venue=venue,
        risk_limits=NO_LIMIT,
        sizing=Sizing(
            allocation=Decimal(1),
            lot_size=config.lot_size,
            fee_rate=config.fee_rate,
            at_fill_price=True,
        ),
    )
    bars = merged_bars(series)
    books = {s.symbol: TradeBook() for s in series}
    last: dict[str, Bar] = {}
    for index, bar in enumerate(bars):
        for fill in context.on_bar(bar).fills:
            books[fill.symbol].add(fill, index)
        last[bar.symbol] = bar
    for bar in last.values():  # close each symbol at its own last close
        at_end = context.close_positions(bar)
        for fill in at_end.fills:
            books[fill.symbol].add(fill, len(bars) - 1)
    return MultiSymbolResult(
        trades={symbol: book.trades for symbol, book in books.items()},
        final_equity=portfolio.equity,
        fees=portfolio.fees_paid,
        bars=len(bars),
    )
