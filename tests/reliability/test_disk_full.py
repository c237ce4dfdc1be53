"""Scenario 3: a full disk during backfill and trading is one clear line, never corruption."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from bench.reliability_cases import disk_full

pytestmark = [pytest.mark.slow, pytest.mark.e2e]


def test_full_disk_is_one_clear_line_and_recoverable(tmp_path: Path) -> None:
    outcome = disk_full.run(tmp_path, backfill_bars=60_000, size_mb=2, full_s=3.0)
    if outcome.skipped is not None:
        if os.environ.get("TRADESTACK_REQUIRE_SERVICES") == "1":
            pytest.fail(outcome.skipped + " (TRADESTACK_REQUIRE_SERVICES=1)")
        pytest.skip(outcome.skipped)
    assert outcome.failures == []
    assert outcome.counts["backfill: clear error"] is True
    assert outcome.counts["integrity"] == "ok/ok"
    assert outcome.counts["tracebacks"] == 0
    assert len(outcome.recovery_s) == 2
