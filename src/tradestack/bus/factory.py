"""The one place that picks an event-bus adapter from the settings."""

from __future__ import annotations

from tradestack.bus.memory import InMemoryBus
from tradestack.bus.port import EventBus
from tradestack.config.settings import Settings
from tradestack.errors import ConfigError


def build_bus(settings: Settings) -> EventBus:
    """Return the adapter named by ``settings.event_bus``."""
    if settings.event_bus == "memory":
        return InMemoryBus(queue_size=settings.bus_queue_size)
    raise ConfigError(
        f"TRADESTACK_EVENT_BUS={settings.event_bus!r} is not available in this build; use 'memory'"
    )
