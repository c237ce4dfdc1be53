"""The event bus: one port, adapters per broker, chosen by ``bus.factory.build_bus``."""

from tradestack.bus.port import EventBus, EventHandler, RequestHandler

__all__ = ["EventBus", "EventHandler", "RequestHandler"]
