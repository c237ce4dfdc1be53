"""The live replay feed of the all-in-one shape: the synthetic walk continued bar by bar.

It is the generic ``LiveFeed`` over the synthetic provider, without a backfill
gate (``tradestack run`` backfills before it starts the feed): each bar is
stored before it is published, so a consumer that sees it can always read it
back, and a restart continues from the last stored bar.

Time follows the wall clock. By default (``run.replay = "clock"``) history is
backfilled up to now and each live bar is published once it has closed; the
fast replay (``"fast"``) leaves ``run.replay_fast_bars`` bars between history
and now and catches up at one bar every ``run.replay_interval_s``, then
follows the clock. No bar is ever dated after the wall clock, so analytics,
daily figures and the daily report line up with real days.
"""

from __future__ import annotations

from datetime import UTC, datetime

from tradestack.bus.port import EventBus
from tradestack.config.settings import RunSettings
from tradestack.domain.timeframes import Timeframe
from tradestack.marketdata.ingest import IngestResult, backfill_synthetic
from tradestack.marketdata.live import LiveFeed, bar_event
from tradestack.marketdata.providers.synthetic import SyntheticProvider
from tradestack.marketdata.synthetic import SyntheticMarket
from tradestack.storage.database import Database

__all__ = ["LiveReplayFeed", "backfill_for_replay", "bar_event", "history_end"]


class LiveReplayFeed(LiveFeed):
    """Continues a stored synthetic series, one bar every ``interval_s``, never past now."""

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
        provider = SyntheticProvider(market, interval_s=interval_s, never_ahead=True)
        series = [(symbol, timeframe)] if symbol is not None and timeframe is not None else []
        super().__init__(db=db, bus=bus, provider=provider, series=series)

    @classmethod
    def from_settings(cls, *, db: Database, bus: EventBus, run: RunSettings) -> LiveReplayFeed:
        """The replay ``run`` describes (clock-paced by default, fast when asked)."""
        market = SyntheticMarket(seed=run.seed)
        return cls(db=db, bus=bus, market=market, interval_s=run.replay_pause_s)


def history_end(run: RunSettings, timeframe: str, now: datetime | None = None) -> datetime:
    """Where the backfilled history stops: now, or ``replay_fast_bars`` before it (fast)."""
    now = now or datetime.now(UTC)
    if run.replay != "fast":
        return now
    return now - Timeframe.parse(timeframe).delta * run.replay_fast_bars


async def backfill_for_replay(
    db: Database,
    run: RunSettings,
    *,
    symbol: str,
    timeframe: str,
    now: datetime | None = None,
) -> IngestResult:
    """Backfill ``run.history_bars`` bars of a series up to where the replay takes over."""
    return await backfill_synthetic(
        db,
        SyntheticMarket(seed=run.seed),
        symbol=symbol,
        timeframe=timeframe,
        history_bars=run.history_bars,
        now=history_end(run, timeframe, now),
    )
