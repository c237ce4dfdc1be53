"""Scenario 1: SIGKILL of ``tradestack run`` during trading never duplicates or loses state."""

from __future__ import annotations

from pathlib import Path

import pytest
from bench.reliability_cases import sigkill

pytestmark = [pytest.mark.slow, pytest.mark.e2e]


def test_sigkill_during_trading_never_duplicates_and_matches_replay(tmp_path: Path) -> None:
    outcome = sigkill.run(tmp_path, kills=3, seed=5)
    assert outcome.failures == []
    assert outcome.counts["duplicate orders"] == 0
    assert outcome.counts["duplicate fills"] == 0
    assert outcome.counts["duplicate bars"] == 0
    assert outcome.counts["positions==replay"] is True
    assert len(outcome.recovery_s) == 3
