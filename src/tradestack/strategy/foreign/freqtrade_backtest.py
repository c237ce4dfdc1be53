"""Run freqtrade's own backtest offline on our bars, to prove the adapter trades the same.

freqtrade's backtester asks the exchange for its markets on start, which
needs the network. Offline, the exchange's ``reload_markets`` is replaced for
the duration of the run by one that installs a single static spot market for
the pair (precision 1e-8, no minimum beyond 1 quote unit): nothing else of
freqtrade is changed. The bars are written as freqtrade's feather data files
in a temporary user_data folder; stake is ``unlimited`` with one open trade,
so each entry is all-in as in tradestack.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from tradestack.domain.market import Bar


@dataclass(frozen=True, slots=True)
class FreqtradeTrade:
    open_date: datetime
    close_date: datetime
    open_rate: float
    close_rate: float
    exit_reason: str


def freqtrade_backtest(
    strategy_file: Path, class_name: str, bars: Sequence[Bar], *, fee: float = 0.001
) -> list[FreqtradeTrade]:
    """Backtest ``class_name`` from ``strategy_file`` with freqtrade itself on ``bars``."""
    from freqtrade.enums import CandleType, RunMode, TradingMode
    from freqtrade.optimize.backtesting import Backtesting

    symbol, timeframe = bars[0].symbol, bars[0].timeframe
    with tempfile.TemporaryDirectory(prefix="ft-") as folder, _offline_market(symbol):
        root = Path(folder)
        data = root / "data" / "binance"
        data.mkdir(parents=True)
        (root / "strategies").mkdir()
        shutil.copy(strategy_file, root / "strategies" / strategy_file.name)
        _frame(bars).to_feather(data / f"{symbol.replace('/', '_')}-{timeframe}.feather")
        config: dict[str, Any] = {
            "user_data_dir": root,
            "datadir": data,
            "strategy": class_name,
            "strategy_path": str(root / "strategies"),
            "timeframe": timeframe,
            "stake_currency": symbol.split("/")[1],
            "stake_amount": "unlimited",
            "dry_run_wallet": 100_000,
            "max_open_trades": 1,
            "dry_run": True,
            "exchange": {"name": "binance", "pair_whitelist": [symbol], "pair_blacklist": []},
            "pairlists": [{"method": "StaticPairList"}],
            "dataformat_ohlcv": "feather",
            "fee": fee,
            "export": "none",
            "entry_pricing": {"price_side": "same"},
            "exit_pricing": {"price_side": "same"},
            "runmode": RunMode.BACKTEST,
            "trading_mode": TradingMode.SPOT,
            "margin_mode": "",
            "candle_type_def": CandleType.SPOT,
            "original_config": {},
        }
        backtesting = Backtesting(config)
        loaded, timerange = backtesting.load_bt_data()
        backtesting.backtest_one_strategy(backtesting.strategylist[0], loaded, timerange)
        results = backtesting.all_bt_content[class_name]["results"]
    return [
        FreqtradeTrade(
            row.open_date.to_pydatetime(),
            row.close_date.to_pydatetime(),
            float(row.open_rate),
            float(row.close_rate),
            str(row.exit_reason),
        )
        for row in results.itertuples()
    ]


def _frame(bars: Sequence[Bar]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "date": [b.ts for b in bars],
            "open": [b.open for b in bars],
            "high": [b.high for b in bars],
            "low": [b.low for b in bars],
            "close": [b.close for b in bars],
            "volume": [b.volume for b in bars],
        }
    )


@contextmanager
def _offline_market(symbol: str) -> Iterator[None]:
    from freqtrade.exchange.exchange import Exchange
    from freqtrade.util import dt_ts

    base, quote = symbol.split("/")
    market = {
        "id": f"{base}{quote}",
        "symbol": symbol,
        "base": base,
        "quote": quote,
        "baseId": base,
        "quoteId": quote,
        "active": True,
        "spot": True,
        "type": "spot",
        "margin": False,
        "swap": False,
        "future": False,
        "option": False,
        "contract": False,
        "linear": None,
        "inverse": None,
        "contractSize": None,
        "taker": 0.001,
        "maker": 0.001,
        "precision": {"amount": 1e-8, "price": 1e-8, "base": 1e-8, "quote": 1e-8},
        "limits": {
            "amount": {"min": 1e-8, "max": 1e12},
            "price": {"min": 1e-8, "max": 1e12},
            "cost": {"min": 1.0, "max": None},
            "leverage": {"min": 1, "max": 1},
        },
        "info": {},
    }

    def reload_markets(self: Any, force: bool = False, *, load_leverage_tiers: bool = True) -> None:
        self._api.set_markets([market])
        self._api_async.set_markets([market])
        self._markets = self._api.markets
        self._last_markets_refresh = dt_ts()

    original = Exchange.reload_markets
    Exchange.reload_markets = reload_markets  # type: ignore[method-assign]
    try:
        yield
    finally:
        Exchange.reload_markets = original  # type: ignore[method-assign]
