"""analytics service: the audit trail of every event and the health graph of all services."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from tradestack.bus.audit_sink import AuditSink
from tradestack.services.health_graph import HealthGraph
from tradestack.services.host import ServiceHost

SERVICE = "analytics"


class AnalyticsService(ServiceHost):
    service = SERVICE

    async def _start_role(self) -> None:
        self.audit = AuditSink(db=self.db, bus=self.bus)
        self.graph = HealthGraph(bus=self.bus, timeout_s=self.settings.services.heartbeat_timeout_s)
        await self.audit.start()
        await self.graph.start()
        self.bus.serve(SERVICE, "health_graph", self._health_graph)

    async def _health_graph(self, _params: dict[str, Any]) -> dict[str, Any]:
        return self.graph.graph()

    async def _drain_role(self) -> None:
        await self.graph.stop()

    async def _after_drain(self) -> None:
        await self.audit.stop()

    async def _checks(self) -> dict[str, Any]:
        return {
            "audit": "ok" if self.audit.state.value == "RUNNING" or self.draining else "down",
            "events_written": self.audit.written,
        }

    def routes(self) -> APIRouter:
        router = APIRouter()

        @router.get("/api/v1/system/health-graph")
        async def health_graph() -> dict[str, Any]:
            return self.graph.graph()

        return router
