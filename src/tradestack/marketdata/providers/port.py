"""The provider port: where bars come from (an exchange, a file, the synthetic market).

A provider answers two questions. ``history`` pages through the bars of one
series in ``[start, end)``, oldest first, as ``BarFrame`` batches (a page per
request for an exchange, a chunk for a file). ``live`` yields each bar once it
has closed. The ingest pipeline, the gap filler and the live feed depend on
this port only; ``providers.factory`` picks the adapter.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Protocol, runtime_checkable

from tradestack.domain.bar_frame import BarFrame
from tradestack.domain.market import Bar


@runtime_checkable
class HistoryProvider(Protocol):
    """Pages of stored-to-be bars; ``source`` names the provider in the ``bars.source`` column."""

    source: str

    def history(
        self, symbol: str, timeframe: str, *, start: datetime | None, end: datetime | None
    ) -> AsyncIterator[BarFrame]:
        """Yield batches of bars with ``start <= ts < end``, oldest first.

        Raises
        ------
        ProviderError
            The provider is unreachable, rejects the symbol or timeframe, or
            stays rate limited; batches already yielded remain valid.
        """
        ...

    async def close(self) -> None:
        """Release connections; the provider is not used afterwards."""
        ...


@runtime_checkable
class LiveProvider(Protocol):
    """Closed bars as they happen."""

    source: str

    def live(
        self, symbol: str, timeframe: str, *, after: datetime, last_close: float | None = None
    ) -> AsyncIterator[Bar]:
        """Yield every bar opening after ``after``, each once it has closed, oldest first.

        ``last_close`` is the close of the newest stored bar, for providers that
        continue a series (the synthetic walk); exchanges ignore it.
        """
        ...

    async def close(self) -> None: ...


@runtime_checkable
class MarketDataProvider(HistoryProvider, LiveProvider, Protocol):
    """A provider of both history and live bars (the exchange and synthetic adapters)."""
