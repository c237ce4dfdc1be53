"""Platform: what the API, the chat control and the operator parts may use, in either shape.

The all-in-one ``Kernel`` and the services ``GatewayService`` both implement it;
nothing that takes a Platform knows which one it got.
"""

from __future__ import annotations

from typing import Any, Protocol

from tradestack.bus.port import EventBus
from tradestack.config.settings import Settings
from tradestack.storage.database import Database
from tradestack.traders.control import TraderControl


class Platform(Protocol):
    @property
    def settings(self) -> Settings: ...

    @property
    def db(self) -> Database: ...

    @property
    def bus(self) -> EventBus: ...

    @property
    def traders(self) -> TraderControl: ...

    async def status(self) -> dict[str, Any]:
        """What runs now: version, shape, database, bus, feed, traders, services."""
        ...

    async def health_graph(self) -> dict[str, Any]:
        """The services and the event flows between them, with their health."""
        ...
