"""The live replay feed of the all-in-one shape: the synthetic walk continued bar by bar.

It is the generic ``LiveFeed`` over the synthetic provider, without a backfill
gate (``tradestack run`` backfills before it starts the feed): each bar is
stored before it is published, so a consumer that sees it can always read it
back, and a restart continues from the last stored bar.
"""

from __future__ import annotations

from tradestack.bus.port import EventBus
from tradestack.marketdata.live import LiveFeed, bar_event
from tradestack.marketdata.providers.synthetic import SyntheticProvider
from tradestack.marketdata.synthetic import SyntheticMarket
from tradestack.storage.database import Database

__all__ = ["LiveReplayFeed", "bar_event"]


class LiveReplayFeed(LiveFeed):
    """Continues a stored synthetic series, one bar every ``interval_s`` (faster than real time)."""

    name = "replay-feed"

    def __init__(
        self,
        *,
        db: Database,
        bus: EventBus,
        market: SyntheticMarket,
        interval_s: float,
        symbol: str | None = None,
        timeframe: str | None = None,
    ) -> None:
        provider = SyntheticProvider(market, interval_s=interval_s)
        series = [(symbol, timeframe)] if symbol is not None and timeframe is not None else []
        super().__init__(db=db, bus=bus, provider=provider, series=series)
