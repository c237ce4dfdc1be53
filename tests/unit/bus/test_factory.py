import pytest

from tradestack.bus.factory import build_bus
from tradestack.bus.memory import InMemoryBus
from tradestack.config.loader import load_settings
from tradestack.errors import ConfigError


def test_memory_is_the_default() -> None:
    assert isinstance(build_bus(load_settings()), InMemoryBus)


@pytest.mark.parametrize("kind", ["redis", "nats"])
def test_a_broker_without_url_is_a_clear_config_error(kind: str) -> None:
    with pytest.raises(ConfigError, match=f"TRADESTACK_EVENT_BUS={kind} needs TRADESTACK_BUS_URL"):
        build_bus(load_settings(event_bus=kind))


def test_a_url_of_the_wrong_broker_is_refused() -> None:
    with pytest.raises(ConfigError, match="is not a nats:// URL"):
        build_bus(load_settings(event_bus="nats", bus_url="redis://127.0.0.1:6379/0"))


def test_brokers_are_built_from_settings_without_connecting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TRADESTACK_BUS__NAMESPACE", "shop")
    monkeypatch.setenv("TRADESTACK_BUS__MAX_DELIVER", "7")
    settings = load_settings(event_bus="redis", bus_url="redis://127.0.0.1:1/0")
    bus = build_bus(settings)
    assert type(bus).__name__ == "RedisStreamsBus"
    assert bus.settings.namespace == "shop" and bus.settings.max_deliver == 7  # type: ignore[attr-defined]
    nats_bus = build_bus(load_settings(event_bus="nats", bus_url="nats://127.0.0.1:1"))
    assert type(nats_bus).__name__ == "NatsJetStreamBus"


def test_an_invalid_bus_setting_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRADESTACK_BUS__MAX_DELIVER", "0")
    with pytest.raises(ConfigError, match="TRADESTACK_BUS__MAX_DELIVER"):
        load_settings()
