"""The one place that picks an event-bus adapter from the settings."""

from __future__ import annotations

from typing import Literal

from tradestack.bus.delivery import RetryPolicy
from tradestack.bus.memory import InMemoryBus
from tradestack.bus.port import EventBus
from tradestack.config.settings import BusSettings, Settings
from tradestack.errors import ConfigError

BusKind = Literal["memory", "redis", "nats"]

EXAMPLE_URLS = {"redis": "redis://127.0.0.1:6379/0", "nats": "nats://127.0.0.1:4222"}


def build_bus(settings: Settings) -> EventBus:
    """Return the adapter named by ``settings.event_bus``.

    Raises
    ------
    ConfigError
        A broker is chosen but ``TRADESTACK_BUS_URL`` is missing or of the wrong scheme.
    """
    return build_bus_for(
        settings.event_bus,
        settings.bus_url,
        settings.bus,
        queue_size=settings.bus_queue_size,
    )


def build_bus_for(
    kind: BusKind, url: str | None, options: BusSettings, *, queue_size: int = 10_000
) -> EventBus:
    """Build one adapter from explicit parts (``migrate bus`` opens two at once)."""
    if kind == "memory":
        retry = RetryPolicy(max_deliver=options.max_deliver, backoff_s=options.retry_backoff_s)
        return InMemoryBus(queue_size=queue_size, retry=retry)
    if not url:
        example = EXAMPLE_URLS[kind]
        raise ConfigError(
            f"TRADESTACK_EVENT_BUS={kind} needs TRADESTACK_BUS_URL (for example {example})"
        )
    scheme = url.split("://", 1)[0].lower()
    if kind == "redis":
        if scheme not in {"redis", "rediss", "unix"}:
            raise ConfigError(f"TRADESTACK_BUS_URL={url!r} is not a redis:// URL")
        from tradestack.bus.redis_streams import RedisStreamsBus

        return RedisStreamsBus(url, options)
    if kind == "nats":
        if scheme not in {"nats", "tls", "ws", "wss"}:
            raise ConfigError(f"TRADESTACK_BUS_URL={url!r} is not a nats:// URL")
        from tradestack.bus.nats_jetstream import NatsJetStreamBus

        return NatsJetStreamBus(url, options)
    raise ConfigError(f"TRADESTACK_EVENT_BUS={kind!r} is not one of memory, redis, nats")
