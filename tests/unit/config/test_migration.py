from decimal import Decimal
from pathlib import Path

import pytest

from tradestack.config.loader import load_settings
from tradestack.config.migration import apply_migration, mask_line, plan_migration
from tradestack.errors import ConfigError

LEGACY_ENV = """# old deployment
BINANCE_API_KEY=abcDEF123
BINANCE_API_SECRET="s3cr3t#x=y"
DATABASE_URL=postgresql+asyncpg://trader:hunter2@db:5432/trading
BACKEND_PORT=8000
MAX_POSITION_SIZE=10000
MIN_CONFIDENCE=0.7
MAX_LEVERAGE=20
LOG_LEVEL=INFO  # verbose
"""


def test_env_file_is_renamed_split_and_keeps_secrets_verbatim(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    path.write_text(LEGACY_ENV)
    migration = plan_migration(path)
    actions = {(c.old_key, c.new_key): c.action for c in migration.changes}
    assert actions[("MAX_POSITION_SIZE", "risk.max_position_size_usd")] == "renamed"
    assert actions[("MIN_CONFIDENCE", "risk.min_confidence_threshold")] == "renamed"
    assert actions[("BACKEND_PORT", "services.exec_risk_port")] == "split"
    assert actions[("-", "event_bus")] == "added"
    assert actions[("MAX_LEVERAGE", "risk.max_leverage")] == "moved"
    assert migration.unknown == []
    assert 'TRADESTACK_EXCHANGE_API_SECRET="s3cr3t#x=y"' in migration.new_text
    assert "TRADESTACK_SERVICES__ANALYTICS_PORT=8004" in migration.new_text
    shown = "\n".join(migration.diff())
    assert "abcDEF123" not in shown and "s3cr3t" not in shown and "hunter2" not in shown

    backup = apply_migration(migration)
    assert backup.read_text() == LEGACY_ENV
    assert path.read_text() == migration.new_text


def test_migrated_env_file_loads_as_version_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text(LEGACY_ENV)
    apply_migration(plan_migration(tmp_path / ".env"))
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    assert settings.risk.max_position_size_usd == Decimal(10000)
    assert settings.risk.min_confidence_threshold == 0.7
    assert settings.api_port == 8000 and settings.services.market_data_port == 8001
    assert settings.exchange_api_secret is not None
    assert settings.exchange_api_secret.get_secret_value() == "s3cr3t#x=y"


def test_flat_yaml_becomes_grouped_yaml(tmp_path: Path) -> None:
    path = tmp_path / "tradestack.yaml"
    path.write_text(
        "config_version: 1\nmax_position_size: 2500\nmin_confidence: 0.6\nsymbol: ETH/USDT\n"
        "api_token: tok-123\nmax_position_size_usd: 3000\ntelegram_chat: 42\n"
    )
    migration = plan_migration(path)
    apply_migration(migration)
    settings = load_settings(path)
    assert settings.risk.max_position_size_usd == Decimal(3000)  # the new name wins
    assert settings.risk.min_confidence_threshold == 0.6
    assert settings.run.symbol == "ETH/USDT"
    assert settings.api_token is not None and settings.api_token.get_secret_value() == "tok-123"
    assert migration.unknown == ["telegram_chat"]
    assert (tmp_path / "tradestack.yaml.v1.bak").exists()


def test_invalid_value_is_named_and_nothing_is_written(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    path.write_text("MIN_CONFIDENCE=7\n")
    with pytest.raises(ConfigError, match="min_confidence_threshold"):
        plan_migration(path)
    assert path.read_text() == "MIN_CONFIDENCE=7\n"
    assert not (tmp_path / ".env.v1.bak").exists()


def test_current_and_unsupported_versions_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("config_version: 2\n")
    with pytest.raises(ConfigError, match="already at config version 2"):
        plan_migration(path)
    with pytest.raises(ConfigError, match="from config version 3"):
        plan_migration(path, from_version=3)


def test_masking_hides_secret_values_and_url_passwords() -> None:
    assert mask_line("EXCHANGE_API_KEY=abc") == "EXCHANGE_API_KEY=***"
    assert mask_line("api_token: abc") == "api_token: ***"
    assert (
        mask_line("DATABASE_URL=postgresql://u:pw@h/db") == "DATABASE_URL=postgresql://u:***@h/db"
    )
    assert mask_line("SYMBOL=BTC/USDT") == "SYMBOL=BTC/USDT"
