"""The health graph: which services beat their heart lately, and how events flow between them.

Missed heartbeats turn a service unhealthy and raise an ``alert.raised`` event
once; its next heartbeat resolves it (``alert.resolved``).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

from tradestack.bus.port import EventBus
from tradestack.domain.events import Event, EventType
from tradestack.lifecycle import Component
from tradestack.services import SERVICE_NAMES

ALERT_RESOLVED = "alert.resolved"
EDGES = (
    ("market-data", "exec-risk", EventType.MARKET_BAR),
    ("exec-risk", "strategy", EventType.BAR_SETTLED),
    ("strategy", "exec-risk", EventType.STRATEGY_EVALUATED),
    ("exec-risk", "analytics", "order.* / position.*"),
    ("exec-risk", "gateway", "order.* / position.*"),
    ("market-data", "gateway", EventType.MARKET_BAR),
)


@dataclass(slots=True)
class _Node:
    service: str
    last_seen: float | None = None
    pid: int | None = None
    healthy: bool | None = None
    restarts: int = 0


class HealthGraph(Component):
    name = "health-graph"

    def __init__(self, *, bus: EventBus, timeout_s: float, check_every_s: float = 1.0) -> None:
        super().__init__()
        self.bus = bus
        self.timeout_s = timeout_s
        self.check_every_s = check_every_s
        self.nodes = {name: _Node(name) for name in SERVICE_NAMES}

    async def _on_start(self) -> None:
        self.bus.subscribe(EventType.SERVICE_HEARTBEAT, self._on_heartbeat, group="health-graph")
        self.spawn(self._watch(), "watch")

    async def _on_heartbeat(self, event: Event) -> None:
        service = str(event.payload.get("service"))
        node = self.nodes.setdefault(service, _Node(service))
        pid = event.payload.get("pid")
        if node.pid is not None and pid != node.pid:
            node.restarts += 1
        node.pid = pid if isinstance(pid, int) else None
        node.last_seen = time.monotonic()
        if node.healthy is False:
            await self._publish(ALERT_RESOLVED, node, "heartbeats are back")
        node.healthy = True

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(self.check_every_s)
            now = time.monotonic()
            for node in self.nodes.values():
                if (
                    node.healthy
                    and node.last_seen is not None
                    and now - node.last_seen > self.timeout_s
                ):
                    node.healthy = False
                    await self._publish(
                        EventType.ALERT_RAISED,
                        node,
                        f"no heartbeat from {node.service} for over {self.timeout_s:.0f} s",
                    )

    async def _publish(self, event_type: str, node: _Node, message: str) -> None:
        payload = {
            "type": "service_unhealthy",
            "severity": "critical",
            "service": node.service,
            "message": message,
        }
        await self.bus.publish(Event.create(event_type, payload, source_service="analytics"))

    def graph(self) -> dict[str, Any]:
        now = time.monotonic()
        nodes = []
        for node in self.nodes.values():
            status = (
                "unknown" if node.healthy is None else ("healthy" if node.healthy else "unhealthy")
            )
            age = round(now - node.last_seen, 1) if node.last_seen is not None else None
            nodes.append(
                {
                    "service": node.service,
                    "status": status,
                    "pid": node.pid,
                    "last_heartbeat_age_s": age,
                    "restarts_seen": node.restarts,
                }
            )
        edges = [{"from": a, "to": b, "events": e} for a, b, e in EDGES]
        return {"nodes": nodes, "edges": edges}
