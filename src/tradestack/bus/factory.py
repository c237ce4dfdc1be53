"""The one place that picks an event-bus adapter from the settings."""

from __future__ import annotations

from typing import Literal

from tradestack.bus.delivery import RetryPolicy
from tradestack.bus.memory import InMemoryBus
from tradestack.bus.migration import BusAdmin
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
    url = check_url(kind, url)
    if kind == "redis":
        from tradestack.bus.redis_streams import RedisStreamsBus

        return RedisStreamsBus(url, options)
    from tradestack.bus.nats_jetstream import NatsJetStreamBus

    return NatsJetStreamBus(url, options)


def check_url(kind: BusKind, url: str | None) -> str:
    """Return ``url`` if it suits the broker ``kind``, else raise a ConfigError naming it."""
    if kind not in EXAMPLE_URLS:
        raise ConfigError(f"TRADESTACK_EVENT_BUS={kind!r} is not one of memory, redis, nats")
    if not url:
        example = EXAMPLE_URLS[kind]
        raise ConfigError(
            f"TRADESTACK_EVENT_BUS={kind} needs TRADESTACK_BUS_URL (for example {example})"
        )
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    schemes = {"redis": {"redis", "rediss", "unix"}, "nats": {"nats", "tls", "ws", "wss"}}
    if scheme not in schemes[kind]:
        raise ConfigError(f"TRADESTACK_BUS_URL={url!r} is not a {kind}:// URL")
    return url


def build_bus_admin(kind: BusKind, url: str | None, options: BusSettings) -> BusAdmin:
    """Return the migration admin of a broker (the in-memory bus keeps nothing to move)."""
    if kind == "memory":
        raise ConfigError("the in-memory bus keeps no events between processes")
    url = check_url(kind, url)
    if kind == "redis":
        from tradestack.bus.redis_admin import RedisBusAdmin

        return RedisBusAdmin(url, options.namespace)
    from tradestack.bus.nats_admin import NatsBusAdmin

    return NatsBusAdmin(url, options)
