"""Every key of the Quantum Trader v2 and v3 ``.env`` templates is mapped or reported with why.

The templates are those of seed 001: the v3 one is its "Complete .env.v3
Template" verbatim; the v2 one holds the keys of its "Environment Variables
Mapping" table's v2 column plus the exchange, Redis and PostgreSQL keys its
checklist greps the v2 ``.env`` for.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from tradestack.config.loader import load_settings
from tradestack.config.migration import apply_migration, plan_migration

V2_TEMPLATE = """\
BINANCE_API_KEY=your_binance_api_key_here
BINANCE_API_SECRET=your_binance_api_secret_here
BINANCE_TESTNET=true
BACKEND_PORT=8000
MAX_LEVERAGE=20
MAX_POSITION_SIZE=10000
RISK_PER_TRADE=0.01
MIN_CONFIDENCE=0.7
REDIS_HOST=redis
REDIS_PORT=6379
POSTGRES_HOST=postgres
POSTGRES_PORT=5432
POSTGRES_DB=quantum_trader
POSTGRES_USER=quantum_user
POSTGRES_PASSWORD=quantum_password_2025
"""

V3_TEMPLATE = """\
# Binance API (KEEP YOUR EXISTING KEYS!)
BINANCE_API_KEY=your_binance_api_key_here
BINANCE_API_SECRET=your_binance_api_secret_here
BINANCE_TESTNET=true  # Set to false for production

# Trading Configuration
TRADING_ENABLED=true
MAX_LEVERAGE=20.0
MAX_POSITION_SIZE_USD=10000.0
RISK_PER_TRADE=0.01
MIN_CONFIDENCE_THRESHOLD=0.7

# Redis Configuration
REDIS_HOST=redis
REDIS_PORT=6379
REDIS_DB=0
REDIS_PASSWORD=

# PostgreSQL Configuration
POSTGRES_HOST=postgres
POSTGRES_PORT=5432
POSTGRES_DB=quantum_trader
POSTGRES_USER=quantum_user
POSTGRES_PASSWORD=quantum_password_2025

# Service Configuration
AI_SERVICE_PORT=8001
EXEC_RISK_SERVICE_PORT=8002
ANALYTICS_OS_SERVICE_PORT=8003

# Feature Flags (NEW in v3.0)
MICROSERVICES_MODE=true
HFOS_ENABLED=true
PBA_ENABLED=true
PAL_ENABLED=true
CLM_ENABLED=true
SELF_HEALING_ENABLED=true
HEALTH_CHECK_INTERVAL_SECONDS=5
HEARTBEAT_TIMEOUT_SECONDS=15

# Logging
LOG_LEVEL=INFO
LOG_FORMAT=json

# Monitoring
PROMETHEUS_ENABLED=true
METRICS_PORT=9090
GRAFANA_ENABLED=true
GRAFANA_PORT=3000
"""
CARRIED = {"kept", "moved", "renamed", "split", "combined", "scaled"}


def _keys(template: str) -> list[str]:
    lines = [line.strip() for line in template.splitlines()]
    return [line.split("=", 1)[0] for line in lines if line and not line.startswith("#")]


@pytest.mark.parametrize("template", [V2_TEMPLATE, V3_TEMPLATE], ids=["v2", "v3"])
def test_every_template_key_is_mapped_or_reported_with_a_reason(
    template: str, tmp_path: Path
) -> None:
    path = tmp_path / ".env"
    path.write_text(template)
    migration = plan_migration(path)
    assert migration.unknown == []
    for key in _keys(template):
        changes = [c for c in migration.changes if c.old_key == key]
        assert changes, f"{key} is neither mapped nor reported"
        for change in changes:
            assert change.action in CARRIED | {"dropped", "ignored"}, (key, change)
            if change.action in {"dropped", "ignored"}:
                assert len(change.note) > 10, f"{key} is reported without a reason"
    reported = {c.old_key for c in migration.changes if c.action == "dropped"}
    for key in reported:
        assert key in migration.new_text, f"{key} is not named in the migrated file"


@pytest.mark.parametrize("template", [V2_TEMPLATE, V3_TEMPLATE], ids=["v2", "v3"])
def test_leverage_risk_per_trade_and_testnet_arrive_in_their_settings(
    template: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / ".env"
    path.write_text(template)
    apply_migration(plan_migration(path))
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    assert settings.risk.max_leverage == Decimal(20)
    assert settings.risk.risk_per_trade_pct == Decimal(1)  # 0.01 of equity is 1 %
    assert settings.ccxt.sandbox is True
    assert settings.database_url == (
        "postgresql+asyncpg://quantum_user:quantum_password_2025@postgres:5432/quantum_trader"
    )
    assert settings.bus_url == "redis://redis:6379/0"


def test_v3_service_ports_and_heartbeats_arrive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / ".env"
    path.write_text(V3_TEMPLATE)
    apply_migration(plan_migration(path))
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    services = settings.services
    assert (services.strategy_port, services.exec_risk_port, services.analytics_port) == (
        8001,
        8002,
        8003,
    )
    assert (services.heartbeat_interval_s, services.heartbeat_timeout_s) == (5.0, 15.0)


def test_testnet_off_turns_the_sandbox_off(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    path.write_text("BINANCE_TESTNET=false\nRISK_PER_TRADE=0.025\nREDIS_PASSWORD=p@ss\n")
    migration = plan_migration(path)
    assert "TRADESTACK_CCXT__SANDBOX=false" in migration.new_text
    assert "TRADESTACK_RISK__RISK_PER_TRADE_PCT=2.5" in migration.new_text
    assert "TRADESTACK_BUS_URL=redis://:p%40ss@127.0.0.1:6379/0" in migration.new_text
    assert "p%40ss" not in "\n".join(migration.diff())
