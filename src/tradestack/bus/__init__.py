"""The event bus: one port, adapters per broker, chosen by ``bus.factory.build_bus``."""

from tradestack.bus.port import DeadLetter, EventBus, EventHandler, RequestHandler

__all__ = ["DeadLetter", "EventBus", "EventHandler", "RequestHandler"]
