"""Scenario 6: schemathesis with every check finds no server error and no tokenless change."""

from __future__ import annotations

from pathlib import Path

import pytest
from bench.reliability_cases import schema_fuzz

pytestmark = [pytest.mark.slow, pytest.mark.e2e]


def test_schemathesis_finds_no_server_error_and_no_tokenless_change(tmp_path: Path) -> None:
    outcome = schema_fuzz.run(tmp_path, examples=4, phases="fuzzing")
    assert outcome.failures == []
    for label in ("no token", "admin"):
        assert outcome.counts[f"{label}: server errors"] == 0
        assert outcome.counts[f"{label}: dropped connections"] == 0
        assert int(outcome.counts[f"{label}: cases"]) > 40  # type: ignore[call-overload]
    assert outcome.counts["state changes without a token"] == 0
