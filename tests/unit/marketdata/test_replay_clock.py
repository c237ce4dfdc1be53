"""The replay's clock: the default follows the wall clock; the fast one starts behind it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tradestack.config.settings import RunSettings
from tradestack.marketdata.replay import LiveReplayFeed, history_end

NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


def test_default_replay_follows_the_wall_clock() -> None:
    run = RunSettings()
    assert run.replay == "clock" and run.replay_pause_s == 0.0
    assert history_end(run, "1m", NOW) == NOW
    assert "wall clock" in run.describe_replay()


def test_fast_replay_is_explicit_and_starts_behind_now() -> None:
    run = RunSettings(replay="fast", replay_interval_s=0.1, replay_fast_bars=500)
    assert run.replay_pause_s == 0.1
    assert history_end(run, "15m", NOW) == NOW - timedelta(minutes=15 * 500)
    assert "never past now" in run.describe_replay()


def test_the_replay_feed_never_publishes_ahead_of_the_clock() -> None:
    feed = LiveReplayFeed.from_settings(db=None, bus=None, run=RunSettings(replay="fast"))  # type: ignore[arg-type]
    assert feed.provider.never_ahead  # type: ignore[attr-defined]
