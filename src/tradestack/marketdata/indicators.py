"""Technical indicators computed on read (TA-Lib), for the API and for strategies.

Names are ``<kind>[_<param>...]``: ``sma_20``, ``ema_20``, ``rsi_14``,
``macd_12_26_9``, ``bbands_20_2`` (also ``bollinger_20_2``), ``atr_14`` and
``vwap`` (volume-weighted average of the typical price, restarting every UTC
day). Multi-line indicators add suffixes: ``macd_12_26_9`` gives itself plus
``_signal`` and ``_hist``; ``bbands_20_2`` gives ``_upper``, ``_middle`` and
``_lower``. Values before an indicator has enough bars are NaN (``None`` in
JSON). Bars are not stored with indicators: they are computed from the bars
when read, so a new indicator never needs a migration.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import talib

from tradestack.domain.bar_frame import BarFrame
from tradestack.domain.market import Bar

DAY = 86_400
_DEFAULTS: dict[str, tuple[float, ...]] = {
    "sma": (20,),
    "ema": (20,),
    "rsi": (14,),
    "macd": (12, 26, 9),
    "bbands": (20, 2),
    "atr": (14,),
    "vwap": (),
}
_ALIASES = {"bollinger": "bbands", "bb": "bbands"}


@dataclass(frozen=True, slots=True)
class IndicatorSpec:
    """One requested indicator: its name as asked, its kind and parameters."""

    name: str
    kind: str
    params: tuple[float, ...]

    @property
    def warmup_bars(self) -> int:
        """Bars read before the requested ones so values match a computation over all history.

        Recursive indicators (EMA, RSI, MACD, ATR) never forget their start;
        ten periods bring its weight below about 1e-4 of a value.
        """
        if self.kind == "vwap":
            return 0
        longest = int(max(self.params))
        settle = 10 if self.kind in {"ema", "rsi", "macd", "atr"} else 1
        return longest * settle + (int(self.params[2]) if self.kind == "macd" else 0)

    def output_names(self) -> list[str]:
        if self.kind == "macd":
            return [self.name, f"{self.name}_signal", f"{self.name}_hist"]
        if self.kind == "bbands":
            return [f"{self.name}_upper", f"{self.name}_middle", f"{self.name}_lower"]
        return [self.name]


def parse_indicators(text: str | Sequence[str]) -> list[IndicatorSpec]:
    """Parse ``"ema_20,rsi_14"`` (or a list of names); raise ValueError naming a bad one."""
    names = text.split(",") if isinstance(text, str) else list(text)
    specs = []
    for raw in (n.strip().lower() for n in names):
        if not raw:
            continue
        kind, *parts = raw.split("_")
        kind = _ALIASES.get(kind, kind)
        if kind not in _DEFAULTS:
            raise ValueError(
                f"unknown indicator {raw!r}; known: {', '.join(sorted(_DEFAULTS))} "
                "(for example ema_20, rsi_14, macd_12_26_9, bbands_20_2, atr_14, vwap)"
            )
        defaults = _DEFAULTS[kind]
        if len(parts) > len(defaults):
            raise ValueError(f"indicator {raw!r} takes at most {len(defaults)} parameter(s)")
        try:
            given = [float(p) for p in parts]
        except ValueError:
            raise ValueError(f"indicator {raw!r}: parameters must be numbers") from None
        params = (*given, *defaults[len(given) :])
        if any(p <= 0 for p in params) or any(p != int(p) for p in params[: _periods(kind)]):
            raise ValueError(f"indicator {raw!r}: periods must be positive whole numbers")
        specs.append(IndicatorSpec(raw, kind, params))
    return specs


def warmup_bars(specs: Sequence[IndicatorSpec]) -> int:
    return max((s.warmup_bars for s in specs), default=0)


def compute(frame: BarFrame, specs: Sequence[IndicatorSpec]) -> dict[str, np.ndarray]:
    """Compute every spec over the frame (sorted by time); one array per output name."""
    out: dict[str, np.ndarray] = {}
    for spec in specs:
        values = _FUNCTIONS[spec.kind](frame, spec.params)
        out.update(zip(spec.output_names(), values, strict=True))
    return out


class IndicatorWindow:
    """The last ``size`` bars of one series with indicators over them, updated bar by bar.

    What a strategy uses: ``window.update(bar)`` in ``on_bar``, then
    ``window.latest["rsi_14"]`` (NaN until warmed up) or ``window.values("ema_20")``.
    """

    def __init__(self, indicators: str | Sequence[str], *, size: int = 500) -> None:
        self.specs = parse_indicators(indicators)
        self.size = max(size, warmup_bars(self.specs) + 1)
        self._columns = np.full((6, self.size), np.nan)
        self._count = 0
        self._values: dict[str, np.ndarray] = {}

    def update(self, bar: Bar) -> dict[str, float]:
        """Add a closed bar and return the newest value of every indicator."""
        self._columns[:, :-1] = self._columns[:, 1:]
        self._columns[:, -1] = (
            bar.ts.timestamp(),
            bar.open,
            bar.high,
            bar.low,
            bar.close,
            bar.volume,
        )
        self._count = min(self._count + 1, self.size)
        self._values = compute(self.frame(bar.symbol, bar.timeframe), self.specs)
        return self.latest

    def frame(self, symbol: str = "", timeframe: str = "1m") -> BarFrame:
        filled = self._columns[:, self.size - self._count :]
        return BarFrame.from_arrays(symbol, timeframe, filled[0], *filled[1:])

    @property
    def latest(self) -> dict[str, float]:
        return {name: float(values[-1]) for name, values in self._values.items() if len(values)}

    def values(self, name: str) -> np.ndarray:
        return self._values[name]


def _periods(kind: str) -> int:
    """How many leading parameters are periods (whole numbers); the rest may be fractional."""
    return {"bbands": 1}.get(kind, len(_DEFAULTS[kind]))


def _sma(frame: BarFrame, p: tuple[float, ...]) -> list[np.ndarray]:
    return [talib.SMA(frame.close, timeperiod=int(p[0]))]


def _ema(frame: BarFrame, p: tuple[float, ...]) -> list[np.ndarray]:
    return [talib.EMA(frame.close, timeperiod=int(p[0]))]


def _rsi(frame: BarFrame, p: tuple[float, ...]) -> list[np.ndarray]:
    return [talib.RSI(frame.close, timeperiod=int(p[0]))]


def _macd(frame: BarFrame, p: tuple[float, ...]) -> list[np.ndarray]:
    fast, slow, signal = (int(x) for x in p)
    return list(talib.MACD(frame.close, fastperiod=fast, slowperiod=slow, signalperiod=signal))


def _bbands(frame: BarFrame, p: tuple[float, ...]) -> list[np.ndarray]:
    return list(talib.BBANDS(frame.close, timeperiod=int(p[0]), nbdevup=p[1], nbdevdn=p[1]))


def _atr(frame: BarFrame, p: tuple[float, ...]) -> list[np.ndarray]:
    return [talib.ATR(frame.high, frame.low, frame.close, timeperiod=int(p[0]))]


def _vwap(frame: BarFrame, _p: tuple[float, ...]) -> list[np.ndarray]:
    """Session VWAP restarting each UTC day: cumulative typical price x volume over volume."""
    if not len(frame):
        return [np.empty(0)]
    typical = (frame.high + frame.low + frame.close) / 3
    day = frame.ts // DAY
    starts = np.flatnonzero(np.concatenate([[True], day[1:] != day[:-1]]))
    first_of_day = np.repeat(starts, np.diff(np.concatenate([starts, [len(frame)]])))
    weighted = np.cumsum(typical * frame.volume)
    volume = np.cumsum(frame.volume)
    before_pv = np.concatenate([[0.0], weighted])[first_of_day]
    before_v = np.concatenate([[0.0], volume])[first_of_day]
    with np.errstate(invalid="ignore", divide="ignore"):
        return [(weighted - before_pv) / (volume - before_v)]


_FUNCTIONS: dict[str, Callable[[BarFrame, tuple[float, ...]], list[np.ndarray]]] = {
    "sma": _sma,
    "ema": _ema,
    "rsi": _rsi,
    "macd": _macd,
    "bbands": _bbands,
    "atr": _atr,
    "vwap": _vwap,
}
