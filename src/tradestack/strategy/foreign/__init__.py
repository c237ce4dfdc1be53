"""Adapters that run strategies written for other systems as tradestack strategies."""

from __future__ import annotations

from tradestack.strategy.base import Strategy


def adapt(cls: type) -> type[Strategy] | None:
    """Return a Strategy class wrapping ``cls``, or None if ``cls`` is no known foreign shape.

    Raises ValueError when ``cls`` is a foreign strategy that cannot run (say,
    a freqtrade strategy without the ``freqtrade`` extra installed).
    """
    from tradestack.strategy.foreign import freqtrade, seed003

    for module in (freqtrade, seed003):
        if module.recognises(cls):
            return module.adapter_for(cls)
    return None
