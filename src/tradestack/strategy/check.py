"""``strategy check``: import, interface, parameters, a smoke backtest and a lookahead check.

The lookahead check is freqtrade's lookahead-analysis idea: a strategy's
signal at bar t, computed on the data truncated after t, must equal its signal
at t computed on the full data. A vectorised ``populate`` that reads a later
row (``shift(-1)``, a centred rolling window, a normalisation by the whole
column's max) gives a different answer on the truncated data and is caught.
Bar-by-bar strategies are run afresh on each truncated prefix, which catches
those that read data from outside the bars they are given.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np

from tradestack.domain.market import Bar
from tradestack.domain.signals import Signal
from tradestack.errors import TradestackError
from tradestack.strategy.base import Strategy
from tradestack.strategy.loader import load_file
from tradestack.strategy.registry import StrategyEntry, _entry, add_strategy_path, find_strategy

SMOKE_BARS = 400
LOOKAHEAD_POINTS = 12


@dataclass(slots=True)
class CheckResult:
    name: str
    lines: list[tuple[str, bool, str]] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(ok for _, ok, _ in self.lines)

    def add(self, check: str, ok: bool, detail: str) -> bool:
        self.lines.append((check, ok, detail))
        return ok


class _ZeroContext:
    trader_id = "check"

    def position_quantity(self, symbol: str) -> Decimal:
        return Decimal(0)


def entries_for(target: str) -> list[StrategyEntry]:
    """Resolve a strategy name, ``module:Class`` or a ``.py`` file to its strategy entries."""
    path = Path(target)
    if path.suffix != ".py":
        return [find_strategy(target)]
    if not path.is_file():
        raise TradestackError(f"{target}: no such file")
    found, problem = load_file(path.resolve())
    if problem is not None:
        raise TradestackError(f"import failed: {problem}")
    problems: list[Any] = []
    entries = [e for f in found if (e := _entry(f, problems)) is not None]
    if problems:
        raise TradestackError(f"{problems[0]}")
    if not entries:
        raise TradestackError(f"{target} defines no strategy class")
    add_strategy_path(path.resolve().parent)  # so the smoke backtest finds it by name
    return entries


def check(entry: StrategyEntry, params: dict[str, Any] | None = None) -> CheckResult:
    """Run every check on one strategy; each adds one line, the first failure stops."""
    result = CheckResult(entry.name)
    result.add("import", True, f"{entry.source}: {entry.location}")
    result.add(
        "interface", True, f"{entry.interface} (INTERFACE_VERSION {entry.cls.INTERFACE_VERSION})"
    )
    make: Callable[[], Strategy] = lambda: entry.cls(**(params or {}))  # noqa: E731
    try:
        strategy = make()
    except (ValueError, TypeError) as error:
        result.add("parameters", False, str(error))
        return result
    shown = ", ".join(f"{k}={v}" for k, v in strategy.params.items()) or "none"
    result.add("parameters", True, shown)
    bars = synthetic_bars(strategy.warmup_bars + SMOKE_BARS, _timeframe_of(strategy))
    if not _smoke(result, entry, strategy.params, bars):
        return result
    _lookahead(result, make, bars, strategy.warmup_bars)
    return result


def synthetic_bars(count: int, timeframe: str, seed: int = 11) -> list[Bar]:
    from tradestack.marketdata.synthetic import SyntheticMarket

    start = datetime(2024, 1, 1, tzinfo=UTC)
    return SyntheticMarket(seed=seed, annual_volatility=1.2).bars(
        "BTC/USDT", timeframe, start, count
    )


def _timeframe_of(strategy: Strategy) -> str:
    return getattr(strategy, "timeframe", None) or "1m"


def _smoke(
    result: CheckResult, entry: StrategyEntry, params: dict[str, Any], bars: list[Bar]
) -> bool:
    from tradestack.backtest.config import BacktestConfig
    from tradestack.backtest.engine import run_event
    from tradestack.backtest.series import BarSeries

    series = BarSeries.from_bars(bars)
    config = BacktestConfig(
        entry.name if entry.source != "module" else entry.location,
        dict(params),
        cash=Decimal(100_000),
        lot_size=Decimal("0.0001"),
    )
    try:
        run = run_event(series, config)
    except Exception as error:  # user code: report it, one line
        return result.add("smoke backtest", False, f"{type(error).__name__}: {error}")
    return result.add(
        "smoke backtest",
        True,
        f"{len(bars)} synthetic bars, {len(run.trades)} trades, "
        f"final equity {run.final_equity:.2f}",
    )


def _lookahead(
    result: CheckResult, make: Callable[[], Strategy], bars: list[Bar], warmup: int
) -> bool:
    full = signals_by_bar(make(), bars)
    points = np.unique(np.linspace(max(warmup, 1), len(bars) - 2, LOOKAHEAD_POINTS).astype(int))
    active = [i for i, signals in enumerate(full) if signals]  # check bars that signal, too
    points = sorted(set(points.tolist()) | set(active[:: max(1, len(active) // LOOKAHEAD_POINTS)]))
    for t in points:
        truncated = signals_by_bar(make(), bars[: t + 1])[t]
        if truncated != full[t]:
            return result.add(
                "lookahead",
                False,
                f"bar {t} ({bars[t].ts.isoformat()}): full data gives {_show(full[t])}, data "
                f"truncated at that bar gives {_show(truncated)}: the strategy uses later bars",
            )
    return result.add("lookahead", True, f"{len(points)} bars compared, full vs truncated data")


def signals_by_bar(strategy: Strategy, bars: list[Bar]) -> list[tuple[Any, ...]]:
    """Per bar, a fingerprint of the signals ``strategy`` gives (empty tuple for none)."""
    vector = getattr(strategy, "vector_signals", None)
    if vector is not None:
        from tradestack.backtest.series import BarSeries

        codes = vector(BarSeries.from_bars(bars))
        return [(int(c),) if c else () for c in codes]
    context = _ZeroContext()
    return [tuple(_fingerprint(s) for s in strategy.on_bar(bar, context)) for bar in bars]


def _fingerprint(signal: Signal) -> tuple[Any, ...]:
    return (
        signal.side.value,
        signal.order_type,
        signal.limit_price,
        signal.stop_price,
        signal.stop_loss,
        signal.take_profit,
        signal.target_quantity,
        signal.target_percent,
    )


def _show(fingerprint: tuple[Any, ...]) -> str:
    return "no signal" if not fingerprint else repr(fingerprint)
