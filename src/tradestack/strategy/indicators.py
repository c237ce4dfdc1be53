"""Declared TA-Lib indicators, computed bar by bar on the strategy's rolling window.

An indicator's value at a bar is the TA-Lib function applied to the window
ending at that bar (its last element), through TA-Lib's streaming API (one C
call per bar and indicator, a few microseconds on a 300-bar window). It is a
function of the window's contents only, so a backtest, a paper trader and a
live trader that saw the same bars hold the same values, and a trader that
restarts and re-warms from stored bars rebuilds them exactly. The window holds
closed bars only: no indicator can see a future bar.

Recursive indicators (EMA, RSI, ATR...) computed on a bounded window differ
from the same indicator over all history by about (1 - alpha) ** window;
declare a window several times their period (the default is 300 bars).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import talib
import talib.abstract
import talib.stream

from tradestack.strategy.history import BarWindow, RollingArray

_PRICE_INPUTS = {"open", "high", "low", "close", "volume"}


@dataclass(frozen=True)
class Indicator:
    """One declared indicator: ``Indicator("rsi", "RSI", timeperiod=14)``.

    ``name`` is how the strategy reads it (``data.indicator("rsi")``); a
    function with several outputs is read as ``name.output`` (for BBANDS:
    ``bb.upperband``, ``bb.middleband``, ``bb.lowerband``). ``timeframe`` picks
    a declared higher timeframe; None means the base one.
    """

    name: str
    function: str
    params: dict[str, Any] = field(default_factory=dict)
    timeframe: str | None = None
    source: str | None = None
    """Price field for single-input functions (``close`` by default)."""

    def __init__(
        self,
        name: str,
        function: str,
        *,
        timeframe: str | None = None,
        source: str | None = None,
        **params: Any,
    ) -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "function", function.upper())
        object.__setattr__(self, "params", dict(params))
        object.__setattr__(self, "timeframe", timeframe)
        object.__setattr__(self, "source", source)

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "function": self.function,
            "params": self.params,
            "timeframe": self.timeframe,
        }


class IndicatorState:
    """One indicator's stream function, inputs and the rolling window of its outputs."""

    __slots__ = ("_inputs", "_keys", "_stream", "declared", "lookback", "outputs")

    def __init__(self, declared: Indicator, history: int) -> None:
        try:
            info = talib.abstract.Function(declared.function).info
        except Exception as error:  # TA-Lib raises its own Exception for unknown names
            raise ValueError(
                f"indicator {declared.name}: unknown TA-Lib function {declared.function!r}"
            ) from error
        unknown = sorted(set(declared.params) - set(info["parameters"]))
        if unknown:
            raise ValueError(
                f"indicator {declared.name}: {declared.function} has no parameter "
                f"{', '.join(unknown)} (known: {', '.join(info['parameters'])})"
            )
        function = talib.abstract.Function(declared.function)
        function.parameters = declared.params
        self.lookback = int(function.lookback)
        if self.lookback >= history:
            raise ValueError(
                f"indicator {declared.name} needs {self.lookback + 1} bars but the window "
                f"holds {history}; declare a longer window"
            )
        self.declared = declared
        self._stream = getattr(talib.stream, declared.function)
        self._inputs = _input_fields(info["input_names"], declared.source)
        names = list(info["output_names"])
        self._keys = (
            (declared.name,) if len(names) == 1 else tuple(f"{declared.name}.{n}" for n in names)
        )
        self.outputs = {key: RollingArray(history) for key in self._keys}

    @property
    def keys(self) -> tuple[str, ...]:
        return self._keys

    def update(self, window: BarWindow) -> None:
        """Compute the value at the newest bar of ``window`` and append it."""
        if len(window) <= self.lookback:
            values: tuple[float, ...] = (math.nan,) * len(self._keys)
        else:
            arrays = [window.field(name) for name in self._inputs]
            value = self._stream(*arrays, **self.declared.params).value
            values = value if isinstance(value, tuple) else (value,)
        for key, one in zip(self._keys, values, strict=True):
            self.outputs[key].append(float(one))


def _input_fields(inputs: dict[str, Any], source: str | None) -> list[str]:
    fields: list[str] = []
    for value in inputs.values():
        if isinstance(value, str):
            fields.append(source or value)
        else:
            fields.extend(value)
    bad = [name for name in fields if name not in _PRICE_INPUTS]
    if bad:
        raise ValueError(f"indicator input {bad[0]!r} is not one of {sorted(_PRICE_INPUTS)}")
    return fields
