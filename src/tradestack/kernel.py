"""The all-in-one shape: one process owning the database, the bus and every component.

Traders are built by ``system.builder`` (as in backtests and the services);
the Kernel is one of the two ``system.platform.Platform`` implementations
the API runs on.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import time
from dataclasses import dataclass, field
from typing import Any

from tradestack import __version__
from tradestack.bus.audit_sink import AuditSink
from tradestack.bus.factory import build_bus
from tradestack.bus.port import EventBus
from tradestack.config.settings import Settings
from tradestack.lifecycle import ComponentState
from tradestack.marketdata.ingest import IngestResult
from tradestack.marketdata.replay import LiveReplayFeed, backfill_for_replay
from tradestack.migrate.schema_change import change_schema
from tradestack.operations import Operations, build_operations
from tradestack.storage import migrations
from tradestack.storage.database import Database
from tradestack.storage.engine import describe_url
from tradestack.storage.repositories.traders import list_traders, save_trader
from tradestack.traders.control import trader_overview
from tradestack.traders.manager import TraderManager
from tradestack.traders.spec import ACTIVE, HALTED, TraderSpec

log = logging.getLogger(__name__)


async def prepare_database(settings: Settings, db: Database) -> TraderSpec:
    """Check and migrate the database; store the default trader when there is none yet.

    Returns the default trader's spec (from ``settings.run``), validated.
    """
    default = TraderSpec.from_run_settings(settings.run)
    default.validate(settings)
    await db.check()
    if await migrations.current(db.engine) != migrations.head():
        # Backed up, checked and rolled back on failure like 'tradestack db upgrade'.
        await change_schema(settings.database_url, settings.home, "head", "upgrade")
    async with db.transaction() as connection:
        if not await list_traders(connection):
            await save_trader(connection, default.to_record())
    return default


@dataclass
class Kernel:
    """Owns the database, the bus and every component of the all-in-one shape."""

    settings: Settings
    db: Database
    bus: EventBus
    traders: TraderManager
    feed: LiveReplayFeed
    audit: AuditSink | None = None
    operations: Operations = field(default_factory=Operations)
    backfill: IngestResult | None = None
    backfills: list[IngestResult] = field(default_factory=list)
    started_at: float = field(default_factory=time.time)
    stopped: bool = False

    @classmethod
    def build(cls, settings: Settings) -> Kernel:
        db = Database(settings.database_url)
        bus = build_bus(settings)
        feed = LiveReplayFeed.from_settings(db=db, bus=bus, run=settings.run)
        kernel = cls(
            settings=settings,
            db=db,
            bus=bus,
            feed=feed,
            traders=TraderManager(db=db, bus=bus, settings=settings),
        )
        kernel.traders.on_series = kernel.serve_series
        kernel.operations = build_operations(kernel)
        return kernel

    async def prepare(self) -> None:
        """Check the spec, the database and its schema; create the default trader on first run.

        Everything a user can get wrong fails here, before the server starts.
        """
        await prepare_database(self.settings, self.db)
        self.backfills = [
            await self._ensure_history(symbol, timeframe)
            for symbol, timeframe in await self.traded_series()
        ]
        self.backfill = self.backfills[0] if self.backfills else None

    async def traded_series(self) -> list[tuple[str, str]]:
        """The series stored traders will trade (active or halted): what to backfill and replay."""
        specs = await self.traders.specs()
        return sorted({(s.symbol, s.timeframe) for s in specs if s.status in (ACTIVE, HALTED)})

    async def serve_series(self, symbol: str, timeframe: str) -> None:
        """Make sure a series has history and is part of the live replay."""
        if (symbol, timeframe) not in self.feed.series:
            await self._ensure_history(symbol, timeframe)
            self.feed.add_series(symbol, timeframe)

    async def _ensure_history(self, symbol: str, timeframe: str) -> IngestResult:
        return await backfill_for_replay(
            self.db, self.settings.run, symbol=symbol, timeframe=timeframe
        )

    async def start(self) -> None:
        """Start the audit sink, alerts and notifications, the traders, the bus and the feed."""
        await self.audit_start()
        await self.operations.start()
        await self.traders.start()
        await self.bus.start()
        await self.feed.start()

    async def audit_start(self) -> None:
        """Start copying events to the audit table (before anything publishes)."""
        self.audit = AuditSink(db=self.db, bus=self.bus)
        await self.audit.start()

    async def stop(self) -> None:
        """Stop the feed first, let the bus drain into the traders, then stop and flush."""
        await self.feed.stop()
        if self.traders.state is ComponentState.RUNNING:
            await self.traders.settle_up()
        await self.bus.close()
        await self.traders.stop()
        await self.operations.stop()
        if self.audit is not None:
            await self.audit.stop()
        await self.db.dispose()
        self.stopped = True

    async def health_graph(self) -> dict[str, Any]:
        """One process is the whole graph in this shape."""
        state = "healthy" if not self.stopped else "unhealthy"
        node = {
            "service": "all-in-one",
            "status": state,
            "pid": os.getpid(),
            "last_heartbeat_age_s": 0.0,
            "restarts_seen": 0,
        }
        return {"nodes": [node], "edges": []}

    def apply_settings(self, settings: Settings, changed: list[str]) -> None:
        """Take over reloaded settings (SIGHUP); only keys marked reloadable differ.

        New traders get them at once; running traders get the new global position
        limit unless their own spec overrides it.
        """
        self.settings = settings
        self.traders.settings = settings
        logging.getLogger("tradestack").setLevel(settings.log_level)
        for runner in self.traders.runners.values():
            risk = runner.context.risk
            risk.limits = dataclasses.replace(
                risk.limits, max_position_size_usd=settings.risk.max_position_size_usd
            )
            runner.context.risk_limits = risk.limits

    async def status(self) -> dict[str, Any]:
        """What runs now; stored traders that are not running are listed with their status."""
        traders = await trader_overview(self.traders)
        return {
            "version": __version__,
            "shape": "all-in-one",
            "uptime_s": round(time.time() - self.started_at, 1),
            "database": describe_url(self.settings.database_url),
            "event_bus": self.bus.health(),
            "feed": {
                "state": self.feed.state.value,
                "series": [f"{s} {t}" for s, t in self.feed.series],
                "bars_published": self.feed.bars_published,
                "bars_stored": self.feed.bars_stored,
            },
            "traders": traders,
            "services": self.operations.states(),
        }
