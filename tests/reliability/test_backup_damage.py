"""Scenario 4: damaged backups are refused and leave the database alone; a restore drill."""

from __future__ import annotations

from pathlib import Path

import pytest
from bench.reliability_cases import backup

pytestmark = [pytest.mark.slow]


def test_damaged_backups_are_refused_and_a_restore_drill_matches(tmp_path: Path) -> None:
    outcome = backup.run(tmp_path, bars=1_500)
    assert outcome.failures == []
    assert outcome.counts["damaged refused"] == "12/12"
    assert outcome.counts["drills equal"] == "2/2"
    assert int(outcome.counts["rows"]) > 2_000  # type: ignore[call-overload]
