"""gateway service: the same API as the all-in-one shape, over the services' database and bus."""

from __future__ import annotations

import time
from typing import Any

from fastapi import FastAPI

from tradestack import __version__
from tradestack.api.app import build_api
from tradestack.api.routes.assistant import provider_status
from tradestack.bus.port import EventBus
from tradestack.config.settings import Settings
from tradestack.errors import BusTimeoutError, RemoteCallError
from tradestack.services.health_app import health_router
from tradestack.services.host import ServiceHost
from tradestack.services.remote_traders import RemoteTraders
from tradestack.storage.engine import describe_url
from tradestack.traders.control import trader_overview


class GatewayService(ServiceHost):
    """The services shape's ``Platform``: the API routes see its db, bus, traders and status."""

    service = "gateway"

    def __init__(self, settings: Settings, *, bus: EventBus | None = None) -> None:
        super().__init__(settings, bus=bus)
        self.traders = RemoteTraders(db=self.db, bus=self.bus, settings=self.settings)

    def app(self) -> FastAPI:
        app = build_api(self)
        app.include_router(health_router(self))
        self._api_state = app.state
        return app

    async def _info(self) -> dict[str, Any]:
        """The LLM provider's health on /ready; it informs, it never takes the API out."""
        assistant = getattr(getattr(self, "_api_state", None), "assistant", None)
        return {"llm": [provider_status(self.settings, assistant)]}

    async def health_graph(self) -> dict[str, Any]:
        try:
            return await self.bus.call("analytics", "health_graph", {}, timeout_s=2.0)
        except (BusTimeoutError, RemoteCallError) as error:
            return {"error": str(error), "nodes": [], "edges": []}

    async def status(self) -> dict[str, Any]:
        traders = await trader_overview(self.traders)
        return {
            "version": __version__,
            "shape": "services",
            "uptime_s": round(time.time() - self.started_at, 1),
            "database": describe_url(self.settings.database_url),
            "event_bus": self.bus.health(),
            "feed": {"state": "remote", "series": [], "bars_published": 0},
            "traders": traders,
            "services": await self.service_states(),
        }

    async def service_states(self) -> dict[str, str]:
        """Each service's state from the health graph, as the status schema wants it."""
        graph = await self.health_graph()
        if "error" in graph:
            return {"analytics": f"unreachable: {graph['error']}"}
        return {str(node["service"]): str(node["status"]) for node in graph.get("nodes", [])}
