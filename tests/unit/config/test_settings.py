from decimal import Decimal
from pathlib import Path

import pytest

from tradestack.config.loader import load_settings, masked
from tradestack.errors import ConfigError


def test_defaults_put_sqlite_under_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TRADESTACK_HOME", str(tmp_path))
    settings = load_settings()
    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path}/tradestack.db"
    assert settings.event_bus == "memory"
    assert settings.api_port == 8000


def test_env_overrides_yaml_per_key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(
        "config_version: 2\nrun:\n  symbol: ETH/USDT\n  timeframe: 5m\napi_port: 9000\n"
    )
    monkeypatch.setenv("TRADESTACK_RUN__TIMEFRAME", "1h")
    settings = load_settings(path)
    assert settings.run.symbol == "ETH/USDT"
    assert settings.run.timeframe == "1h"
    assert settings.api_port == 9000


def test_unknown_env_variable_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRADESTACK_MAX_POSITON", "5")
    with pytest.raises(ConfigError, match="TRADESTACK_MAX_POSITON"):
        load_settings()


def test_unknown_nested_env_variable_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRADESTACK_RISK__MAX_LEVERAGE_X", "5")
    with pytest.raises(ConfigError, match="TRADESTACK_RISK__MAX_LEVERAGE_X"):
        load_settings()


def test_invalid_value_names_key_and_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRADESTACK_API_PORT", "eighty")
    with pytest.raises(ConfigError, match=r"api_port \(TRADESTACK_API_PORT\) = 'eighty'"):
        load_settings()


def test_unknown_yaml_key_is_named(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("config_version: 2\nrisk:\n  max_positon_size_usd: 5\n")
    with pytest.raises(ConfigError, match="risk.max_positon_size_usd"):
        load_settings(path)


def test_old_config_version_points_to_migrate(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("config_version: 1\n")
    with pytest.raises(ConfigError, match="config migrate"):
        load_settings(path)


def test_missing_yaml_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "nope.yaml")


def test_bad_timeframe_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRADESTACK_RUN__TIMEFRAME", "7q")
    with pytest.raises(ConfigError, match="invalid timeframe"):
        load_settings()


def test_masked_hides_secrets_and_url_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRADESTACK_API_TOKEN", "s3cret")
    monkeypatch.setenv("TRADESTACK_DATABASE_URL", "postgresql+asyncpg://u:pw@h:5432/d")
    shown = masked(load_settings())
    assert shown["api_token"] == "***"
    assert shown["database_url"] == "postgresql+asyncpg://u:***@h:5432/d"
    assert "s3cret" not in repr(shown) and "pw@" not in repr(shown)


def test_money_settings_are_decimal() -> None:
    assert load_settings().paper.fee_rate == Decimal("0.001")
