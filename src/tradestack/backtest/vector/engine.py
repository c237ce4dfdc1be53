"""The vectorised engine: signals from the strategy's kernel, then one compiled loop."""

from __future__ import annotations

import time
from decimal import Decimal

import numpy as np

from tradestack.backtest.config import BacktestConfig
from tradestack.backtest.engine import make_strategy
from tradestack.backtest.result import BacktestResult
from tradestack.backtest.series import BarSeries
from tradestack.backtest.trades import Trade, TradeArrays
from tradestack.backtest.vector import kernels
from tradestack.backtest.vector.signals import signals_for
from tradestack.errors import DataImportError

_compile_s: float | None = None


def compile_kernels() -> float:
    """Compile (or load from numba's disk cache) every kernel once; return the seconds it took."""
    global _compile_s
    if _compile_s is None:
        from tradestack.backtest.curve_stats import curve_stats
        from tradestack.backtest.vector.signals import sma_cross_kernel

        started = time.perf_counter()
        closes = np.linspace(1.0, 2.0, 40)
        signals = sma_cross_kernel(closes, 2, 5)
        kernels.simulate(closes, closes, signals, 0, 100.0, 0.001, 1.0, True)
        curve_stats(closes)
        _compile_s = time.perf_counter() - started
    return _compile_s


def run_vector(series: BarSeries, config: BacktestConfig) -> BacktestResult:
    """Run ``config`` over ``series`` with the same rules as the event-driven engine.

    Raises
    ------
    ConfigError
        Bad parameters, or a strategy without a vectorised form.
    """
    strategy = make_strategy(config)
    warmup = config.warmup_bars
    if len(series) <= warmup:
        raise DataImportError(f"{len(series)} bars are not enough for {warmup} warm-up bars")
    compile_s = compile_kernels()
    started = time.perf_counter()
    signals = signals_for(strategy, series)
    equity, position, matrix, fees = kernels.simulate(
        series.open,
        series.close,
        signals,
        warmup,
        float(config.cash),
        float(config.fee_rate),
        float(config.lot_size),
        strategy.allow_short,
    )
    arrays = TradeArrays(
        direction=matrix[:, kernels.T_DIRECTION].astype(np.int8),
        entry_index=matrix[:, kernels.T_ENTRY].astype(np.int64),
        exit_index=matrix[:, kernels.T_EXIT].astype(np.int64),
        entry_price=matrix[:, kernels.T_ENTRY_PRICE].copy(),
        exit_price=matrix[:, kernels.T_EXIT_PRICE].copy(),
        size=matrix[:, kernels.T_SIZE].copy(),
        fees=matrix[:, kernels.T_FEES].copy(),
        pnl=matrix[:, kernels.T_PNL].copy(),
    )
    elapsed = time.perf_counter() - started
    return BacktestResult(
        engine="vector",
        config=config,
        series=series,
        equity=equity,
        position=position,
        trade_arrays=arrays,
        final_equity=_decimal(float(equity[-1])),
        fees=_decimal(float(fees)),
        elapsed_s=elapsed,
        compile_s=compile_s,
        _trade_factory=lambda: trades_from_arrays(arrays, series, config),
    )


def trades_from_arrays(
    arrays: TradeArrays, series: BarSeries, config: BacktestConfig
) -> list[Trade]:
    """Build Trade records, converting floats to Decimal at the boundary."""
    offset = config.warmup_bars
    times = series.datetimes(offset)
    lot = config.lot_size
    return [
        Trade(
            direction=int(arrays.direction[k]),
            entry_index=int(arrays.entry_index[k]),
            exit_index=int(arrays.exit_index[k]),
            entry_time=times[int(arrays.entry_index[k])],
            exit_time=times[int(arrays.exit_index[k])],
            entry_price=_decimal(float(arrays.entry_price[k])),
            exit_price=_decimal(float(arrays.exit_price[k])),
            size=Decimal(round(float(arrays.size[k]) / float(lot))) * lot,
            fees=_decimal(float(arrays.fees[k])),
            pnl=_decimal(float(arrays.pnl[k])),
        )
        for k in range(len(arrays))
    ]


def _decimal(value: float) -> Decimal:
    return Decimal(repr(value))
