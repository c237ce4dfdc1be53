"""Scenario 2 (short): broker down and every service SIGKILLed; nothing twice, nothing lost.

The bench (``python -m bench.reliability --only 2``) runs both brokers, a 10 s
outage and one service at a time; here Redis, a 3 s outage and all at once.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from bench.reliability_cases import services

from tests.conftest import require_service

pytestmark = [pytest.mark.slow, pytest.mark.e2e, pytest.mark.services]


def test_services_survive_broker_outage_and_killed_services(tmp_path: Path) -> None:
    require_service("PostgreSQL", "127.0.0.1", 5432)
    outcome = services.run(tmp_path, bus="redis", broker_down_s=3.0, one_at_a_time=False)
    if outcome.skipped is not None:
        if os.environ.get("TRADESTACK_REQUIRE_SERVICES") == "1":
            pytest.fail(outcome.skipped + " (TRADESTACK_REQUIRE_SERVICES=1)")
        pytest.skip(outcome.skipped)
    assert outcome.failures == []
    assert outcome.counts["orders placed twice"] == 0
    assert outcome.counts["acknowledged events lost"] == 0
    assert outcome.counts["service restarts"] >= len(services.SERVICES)  # type: ignore[operator]
    assert len(outcome.recovery_s) == 2
