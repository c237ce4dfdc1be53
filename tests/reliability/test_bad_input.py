"""Scenario 8: each kind of bad input is one clear line, a non-zero exit and no write."""

from __future__ import annotations

from pathlib import Path

import pytest
from bench.reliability_cases import bad_input

pytestmark = [pytest.mark.slow]


def test_bad_input_is_refused_in_one_line_and_writes_nothing(tmp_path: Path) -> None:
    outcome = bad_input.run(tmp_path)
    assert outcome.failures == []
    assert outcome.counts["clear refusals"] == f"{len(bad_input.CASES)}/{len(bad_input.CASES)}"
    assert outcome.counts["half-written"] == 0
