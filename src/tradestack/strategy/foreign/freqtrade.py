"""freqtrade IStrategy (interface 3) files, run through the optional ``freqtrade`` extra."""

from __future__ import annotations

from tradestack.strategy.base import Strategy


def recognises(cls: type) -> bool:
    return any(base.__name__ == "IStrategy" for base in getattr(cls, "__mro__", ())[1:])


def adapter_for(cls: type) -> type[Strategy]:
    raise ValueError(
        "freqtrade strategies need the freqtrade extra: pip install 'tradestack[freqtrade]'"
    )
