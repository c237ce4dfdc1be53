"""Scenario 5: canary secrets from the environment appear in no log, answer, table or event."""

from __future__ import annotations

from pathlib import Path

import pytest
from bench.reliability_cases import canary

pytestmark = [pytest.mark.slow, pytest.mark.e2e]


def test_canary_secrets_never_leak(tmp_path: Path) -> None:
    outcome = canary.run(tmp_path, seconds=2.0)
    assert outcome.failures == []
    assert outcome.counts["Telegram calls with the token"] > 0  # type: ignore[operator]
    leaks = {k: v for k, v in outcome.counts.items() if k.startswith("in ")}
    assert len(leaks) == 6 and set(leaks.values()) == {0}
