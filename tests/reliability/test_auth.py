"""Scenario 7: every write route refuses bad tokens; scoped tokens stay inside their traders."""

from __future__ import annotations

from pathlib import Path

import pytest
from bench.reliability_cases import auth

pytestmark = [pytest.mark.slow, pytest.mark.e2e]


def test_write_routes_refuse_bad_tokens_and_scopes_hold(tmp_path: Path) -> None:
    outcome = auth.run(tmp_path, burst=300)
    assert outcome.failures == []
    assert outcome.counts["write routes"] >= 8  # type: ignore[operator]
    assert outcome.counts["wrong answers"] == 0
    refused, probes = str(outcome.counts["cross-trader refused"]).split("/")
    assert refused == probes
    assert outcome.counts["exposed+anonymous refused"] is True
