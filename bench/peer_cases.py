"""Peer libraries' runs for ``bench.backtest``, one case per process, printing one JSON line.

Runs under any interpreter that has the peer installed (backtesting.py in the
project's venv; vectorbt and nautilus_trader in the side venv, see
bench/backtest.py) and imports nothing from tradestack. Every case trades the
same long-only SMA(10, 30) crossover, all-in in whole units, market orders
filled at the next bar's open, on the bars in the given ``.npz`` file.

nautilus_trader differs in one rule: on bar data it fills a market order at
the price it last saw, the signal bar's close, not the next open (so its
equity differs while its trades line up). It sizes the order itself, keeping
0.5% of cash back; all-in to the cent, its cash account denies some entries
(EURUSD: 8 trades instead of 83).

Usage: ``python bench/peer_cases.py CASE DATA.npz``.
"""

from __future__ import annotations

import json
import sys
import time
import warnings

import numpy as np
import pandas as pd


def peak_rss_mb() -> float:
    """This process's peak resident set (VmHWM): unlike ru_maxrss it is not inherited on exec."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def load(path: str) -> tuple[pd.DataFrame, dict]:
    data = np.load(path)
    frame = pd.DataFrame(
        {
            "Open": data["open"],
            "High": data["high"],
            "Low": data["low"],
            "Close": data["close"],
            "Volume": data["volume"],
        },
        index=pd.DatetimeIndex(data["ts"].astype("datetime64[ns]")),
    )
    meta = {k: data[k].item() for k in ("cash", "fee", "price_precision")}
    meta["signals"] = data["signals"]
    return frame, meta


def backtesting_case(frame: pd.DataFrame, meta: dict) -> dict:
    from backtesting import Backtest, Strategy
    from backtesting.lib import crossover
    from backtesting.test import SMA

    class SmaCross(Strategy):
        def init(self) -> None:
            self.fast = self.I(SMA, self.data.Close, 10)
            self.slow = self.I(SMA, self.data.Close, 30)

        def next(self) -> None:
            if crossover(self.fast, self.slow):
                self.buy()
            elif crossover(self.slow, self.fast):
                self.position.close()

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bt = Backtest(
            frame,
            SmaCross,
            cash=meta["cash"],
            commission=meta["fee"],
            trade_on_close=False,
            exclusive_orders=True,
            finalize_trades=True,
        )
        started = time.perf_counter()
        stats = bt.run()
        elapsed = time.perf_counter() - started
    return {
        "seconds": elapsed,
        "trades": int(stats["# Trades"]),
        "final_equity": float(stats["Equity Final [$]"]),
    }


def vectorbt_case(frame: pd.DataFrame, meta: dict) -> dict:
    import vectorbt as vbt

    signals = meta["signals"]
    # Signals are decided at a bar's close and filled at the next bar's open.
    entries = pd.Series(np.r_[False, signals[:-1] == 1], index=frame.index)
    exits = pd.Series(np.r_[False, signals[:-1] == -1], index=frame.index)

    def run() -> object:
        return vbt.Portfolio.from_signals(
            frame["Close"],
            entries,
            exits,
            price=frame["Open"],
            fees=meta["fee"],
            size=np.inf,
            size_granularity=1.0,
            init_cash=meta["cash"],
            freq="1min",
        )

    started = time.perf_counter()
    run()
    first = time.perf_counter() - started
    elapsed = float("inf")
    for _ in range(3):  # after the compiling first call, the best of three
        started = time.perf_counter()
        portfolio = run()
        elapsed = min(elapsed, time.perf_counter() - started)
    return {
        "seconds": elapsed,
        "compile_s": max(first - elapsed, 0.0),
        "trades": int(portfolio.trades.count()),
        "final_equity": float(portfolio.final_value()),
    }


def nautilus_case(frame: pd.DataFrame, meta: dict) -> dict:
    from decimal import Decimal

    from nautilus_trader.backtest.engine import BacktestEngine, BacktestEngineConfig
    from nautilus_trader.config import LoggingConfig
    from nautilus_trader.indicators import SimpleMovingAverage
    from nautilus_trader.model.currencies import USD
    from nautilus_trader.model.data import BarType
    from nautilus_trader.model.enums import AccountType, OmsType, OrderSide
    from nautilus_trader.model.identifiers import InstrumentId, Symbol, TraderId, Venue
    from nautilus_trader.model.instruments import Equity
    from nautilus_trader.model.objects import Money, Price, Quantity
    from nautilus_trader.persistence.wranglers import BarDataWrangler
    from nautilus_trader.trading.strategy import Strategy, StrategyConfig

    precision = int(meta["price_precision"])
    instrument = Equity(
        instrument_id=InstrumentId.from_str("TEST.SIM"),
        raw_symbol=Symbol("TEST"),
        currency=USD,
        price_precision=precision,
        price_increment=Price(10**-precision, precision),
        lot_size=Quantity.from_int(1),
        ts_event=0,
        ts_init=0,
    )
    bar_type = BarType.from_str(f"{instrument.id}-1-MINUTE-LAST-EXTERNAL")

    class Config(StrategyConfig, frozen=True):
        fee: float = 0.0

    class SmaCross(Strategy):
        def __init__(self, config: Config) -> None:
            super().__init__(config)
            self.fast = SimpleMovingAverage(10)
            self.slow = SimpleMovingAverage(30)
            self.above: bool | None = None
            self.fee = config.fee

        def on_start(self) -> None:
            self.register_indicator_for_bars(bar_type, self.fast)
            self.register_indicator_for_bars(bar_type, self.slow)
            self.subscribe_bars(bar_type)

        def on_bar(self, bar) -> None:  # type: ignore[no-untyped-def]
            if not self.slow.initialized:
                return
            above = self.fast.value > self.slow.value
            previous, self.above = self.above, above
            if previous is None or previous == above:
                return
            if above and self.portfolio.is_flat(instrument.id):
                cash = float(self.portfolio.account(instrument.id.venue).balance_free(USD))
                units = int(cash * 0.995 // (float(bar.close) * (1 + self.fee)))
                if units > 0:
                    self.submit_order(
                        self.order_factory.market(
                            instrument.id, OrderSide.BUY, instrument.make_qty(Decimal(units))
                        )
                    )
            elif not above and not self.portfolio.is_flat(instrument.id):
                self.close_all_positions(instrument.id)

    engine = BacktestEngine(
        BacktestEngineConfig(
            trader_id=TraderId("BENCH-001"), logging=LoggingConfig(bypass_logging=True)
        )
    )
    engine.add_venue(
        Venue("SIM"),
        oms_type=OmsType.NETTING,
        account_type=AccountType.CASH,
        base_currency=USD,
        starting_balances=[Money(meta["cash"], USD)],
    )
    engine.add_instrument(instrument)
    bars = BarDataWrangler(bar_type, instrument).process(frame.rename(columns=str.lower))
    engine.add_data(bars)
    engine.add_strategy(SmaCross(Config(fee=meta["fee"])))
    started = time.perf_counter()
    engine.run()
    elapsed = time.perf_counter() - started
    positions = engine.trader.generate_positions_report()
    cash = float(engine.portfolio.account(Venue("SIM")).balance_total(USD))
    held = float(engine.portfolio.net_position(instrument.id))  # still open: mark at last close
    final = cash + held * float(frame["Close"].iloc[-1])
    first = positions.iloc[0] if len(positions) else None
    entry = None if first is None else f"{first['ts_opened']} at {first['avg_px_open']}"
    return {
        "seconds": elapsed,
        "trades": len(positions),
        "final_equity": final,
        "first_entry": entry,
    }


CASES = {"backtesting": backtesting_case, "vectorbt": vectorbt_case, "nautilus": nautilus_case}


def main() -> None:
    case, path = sys.argv[1], sys.argv[2]
    frame, meta = load(path)
    out = CASES[case](frame, meta)
    out["bars"] = len(frame)
    out["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
