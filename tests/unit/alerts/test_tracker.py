"""The per-rule state machine: pending for ``for``, raised once, resolved when it clears."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tradestack.alerts.conditions import Observation
from tradestack.alerts.tracker import Raise, Resolve, RuleTracker

T0 = datetime(2026, 1, 1, tzinfo=UTC)
HOLDS = {"alice": Observation(1.0, "holds")}


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_raises_only_after_holding_for_the_duration_and_only_once() -> None:
    tracker = RuleTracker(for_s=300)
    assert tracker.update(HOLDS, at(0)) == []
    assert tracker.update(HOLDS, at(299)) == []
    (change,) = tracker.update(HOLDS, at(300))
    assert change == Raise("alice", HOLDS["alice"])
    tracker.active["alice"] = 7
    assert tracker.update(HOLDS, at(400)) == []  # de-duplicated while it holds
    assert tracker.update({}, at(500)) == [Resolve("alice", 7)]
    assert tracker.update({}, at(600)) == []


def test_a_gap_in_the_condition_restarts_the_duration() -> None:
    tracker = RuleTracker(for_s=60)
    tracker.update(HOLDS, at(0))
    tracker.update({}, at(30))
    assert tracker.update(HOLDS, at(70)) == []
    assert tracker.update(HOLDS, at(129)) == []
    assert len(tracker.update(HOLDS, at(130))) == 1


def test_subjects_are_independent() -> None:
    tracker = RuleTracker(for_s=0)
    both = {"alice": Observation(1, "a"), "bob": Observation(1, "b")}
    assert {c.subject for c in tracker.update(both, at(0))} == {"alice", "bob"}
    tracker.active.update({"alice": 1, "bob": 2})
    assert tracker.update({"bob": both["bob"]}, at(1)) == [Resolve("alice", 1)]
