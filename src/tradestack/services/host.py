"""ServiceHost: what every service process shares — database, bus, heartbeats, drain, health.

A role subclasses it and fills in ``_start_role``, ``_drain_role`` and
``_checks``. Draining (SIGTERM or ``POST /api/v1/system/drain``) stops new
work, lets the bus finish what is in flight, reports drained on ``/ready``,
then lets the process exit: what a rolling or blue-green cut-over needs.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from typing import Any

from tradestack import __version__
from tradestack.bus.factory import build_bus
from tradestack.bus.port import EventBus
from tradestack.config.settings import Settings
from tradestack.domain.events import Event, EventType
from tradestack.errors import TradestackError
from tradestack.lifecycle import Component
from tradestack.services.metrics import InstrumentedBus, ServiceMetrics
from tradestack.storage.database import Database

log = logging.getLogger(__name__)


class ServiceHost(Component):
    service: str = "service"

    def __init__(self, settings: Settings, *, bus: EventBus | None = None) -> None:
        """``bus`` lets tests run several services in one process on one in-memory bus."""
        super().__init__()
        self.name = self.service
        self.settings = settings
        self.metrics = ServiceMetrics(self.service)
        self.db = Database(settings.database_url)
        self.raw_bus = bus if bus is not None else build_bus(settings)
        self.bus = InstrumentedBus(self.raw_bus, self.metrics)
        self.draining = False
        self.drained = False
        self.started_at = time.time()
        self.exit = asyncio.Event()

    async def _on_start(self) -> None:
        await self.db.check()
        await self._start_role()
        await self.bus.start()
        self.metrics.up.labels(self.service).set(1)
        self.spawn(self._heartbeat(), "heartbeat")

    async def _on_stop(self) -> None:
        if not self.drained:
            await self.drain()
        await self.db.dispose()

    async def drain(self) -> None:
        """Stop taking new work, finish in-flight work, report drained, then allow exit."""
        if self.draining:
            return
        self.draining = True
        log.warning("%s draining", self.service)
        try:
            await self._drain_role()
            await self.bus.close()
            await self._after_drain()
        finally:
            self.drained = True
            self.metrics.up.labels(self.service).set(0)
            self.exit.set()

    async def _wait_caught_up(self, group: str, timeout_s: float = 10.0) -> None:
        """Let ``group`` read and finish what upstream already published before draining.

        The supervisor drains services upstream first, so by now nothing new
        arrives; three idle readings in a row (the brokers refresh lag about once
        a second) mean the backlog is done. Gives up after ``timeout_s``: what is
        left stays in the broker for the next start, never lost.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        idle = 0
        while loop.time() < deadline and idle < 3:
            figures = (self.bus.health().get("groups") or {}).get(group) or {}
            busy = figures.get("lag", 0) or figures.get("pending", 0)
            idle = 0 if busy else idle + 1
            await asyncio.sleep(0.5)

    async def _heartbeat(self) -> None:
        interval = self.settings.services.heartbeat_interval_s
        while not self.draining:
            try:
                await self.bus.publish(
                    Event.create(
                        EventType.SERVICE_HEARTBEAT, self.heartbeat(), source_service=self.service
                    )
                )
            except TradestackError as error:
                log.warning("%s heartbeat not sent: %s", self.service, error)
            await asyncio.sleep(interval)

    def heartbeat(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "pid": os.getpid(),
            "state": self.state.value,
            "draining": self.draining,
            "version": __version__,
            "uptime_s": round(time.time() - self.started_at, 1),
        }

    async def readiness(self) -> dict[str, Any]:
        """Database and bus reachable, plus the role's own checks; drained when draining."""
        checks: dict[str, str] = {}
        try:
            await self.db.check()
            checks["database"] = "ok"
        except TradestackError as error:
            checks["database"] = str(error)
        checks["bus"] = "ok" if self.bus.health().get("connected") else "disconnected"
        checks.update(await self._checks())
        ready = not self.draining and all(value == "ok" for value in checks.values())
        return {
            "service": self.service,
            "ready": ready,
            "draining": self.draining,
            "drained": self.drained,
            "checks": checks,
            "info": await self._info(),
        }

    async def _start_role(self) -> None:
        """Build and start the role's components (subscribing before the bus starts)."""

    async def _drain_role(self) -> None:
        """Stop the role's sources of new work; in-flight events still finish."""

    async def _after_drain(self) -> None:
        """Flush what in-flight work produced (the bus is closed by now)."""

    async def _checks(self) -> dict[str, str]:
        """Named checks of the role: "ok", or what is wrong."""
        return {}

    async def _info(self) -> dict[str, Any]:
        """Figures shown on /ready that do not decide readiness."""
        return {}
