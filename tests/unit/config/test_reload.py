from decimal import Decimal
from pathlib import Path

from tradestack.config.loader import load_settings
from tradestack.config.reload import SettingsReloader, reloadable_keys
from tradestack.config.settings import Settings


def _write(path: Path, limit: str, port: int = 8000, level: str = "WARNING") -> None:
    path.write_text(
        f"config_version: 2\napi_port: {port}\nlog_level: {level}\n"
        f"risk:\n  max_position_size_usd: {limit}\n"
    )


def test_reloadable_keys_are_declared_on_the_model() -> None:
    assert {"risk.max_position_size_usd", "log_level"} <= reloadable_keys()
    assert "database_url" not in reloadable_keys()


def test_reload_applies_reloadable_keys_and_tells_listeners(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    _write(path, "1000")
    reloader = SettingsReloader(load_settings(path), lambda: load_settings(path))
    seen: list[tuple[Settings, list[str]]] = []
    reloader.subscribe(lambda settings, keys: seen.append((settings, keys)))

    _write(path, "2500", port=9001, level="INFO")
    outcome = reloader.reload()

    assert sorted(outcome.applied) == ["log_level", "risk.max_position_size_usd"]
    assert outcome.needs_restart == ["api_port"]
    assert reloader.settings.risk.max_position_size_usd == Decimal(2500)
    assert reloader.settings.api_port == 8000  # needs a restart: not taken over
    assert seen and seen[0][0] is reloader.settings


def test_invalid_file_is_refused_and_old_settings_stay(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    _write(path, "1000")
    reloader = SettingsReloader(load_settings(path), lambda: load_settings(path))
    _write(path, "-5")
    outcome = reloader.reload()
    assert outcome.refused and "max_position_size_usd" in outcome.refused
    assert reloader.settings.risk.max_position_size_usd == Decimal(1000)
