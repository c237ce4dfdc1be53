"""The one wiring place: builds and runs the all-in-one shape from the settings.

Backtests, services and tests assemble the same parts; nothing below
``kernel`` knows which shape it runs in.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

from tradestack import __version__
from tradestack.bus.audit_sink import AuditSink
from tradestack.bus.factory import build_bus
from tradestack.bus.port import EventBus
from tradestack.config.settings import Settings
from tradestack.errors import ConfigError
from tradestack.execution.venues.paper import PaperVenue
from tradestack.marketdata.ingest import IngestResult, backfill_synthetic
from tradestack.marketdata.replay import LiveReplayFeed
from tradestack.marketdata.synthetic import SyntheticMarket
from tradestack.migrate.schema_change import change_schema
from tradestack.portfolio.ledger import Portfolio
from tradestack.risk.rules import RiskLimits
from tradestack.storage import migrations
from tradestack.storage.database import Database
from tradestack.storage.engine import describe_url
from tradestack.strategy.registry import create_strategy
from tradestack.traders.context import Sizing, TraderContext
from tradestack.traders.runner import TraderRunner

log = logging.getLogger(__name__)


def quote_asset(symbol: str) -> str:
    return symbol.split("/", 1)[1] if "/" in symbol else "USD"


def build_trader(settings: Settings, db: Database, bus: EventBus) -> TraderRunner:
    """Assemble the default paper trader described by ``settings.run``."""
    run = settings.run
    try:
        strategy = create_strategy(run.strategy, run.strategy_params)
    except ValueError as error:
        raise ConfigError(f"run.strategy_params: {error}") from None
    portfolio = Portfolio(run.trader, cash=run.starting_cash, quote_asset=quote_asset(run.symbol))
    venue = PaperVenue(
        fee_rate=settings.paper.fee_rate,
        cash=lambda: portfolio.cash,
        holdings=portfolio.quantity,
        allow_short=strategy.allow_short,
        quote_asset=portfolio.quote_asset,
    )
    context = TraderContext(
        trader_id=run.trader,
        strategy=strategy,
        portfolio=portfolio,
        venue=venue,
        risk_limits=RiskLimits(max_position_size_usd=settings.risk.max_position_size_usd),
        sizing=Sizing(
            allocation=run.allocation, lot_size=run.lot_size, fee_rate=settings.paper.fee_rate
        ),
    )
    return TraderRunner(
        context=context,
        db=db,
        bus=bus,
        symbol=run.symbol,
        timeframe=run.timeframe,
        starting_cash=run.starting_cash,
    )


@dataclass
class Kernel:
    """Owns the database, the bus and every component of the all-in-one shape."""

    settings: Settings
    db: Database
    bus: EventBus
    traders: dict[str, TraderRunner] = field(default_factory=dict)
    feed: LiveReplayFeed | None = None
    audit: AuditSink | None = None
    backfill: IngestResult | None = None
    started_at: float = field(default_factory=time.time)
    stopped: bool = False

    @classmethod
    def build(cls, settings: Settings) -> Kernel:
        db = Database(settings.database_url)
        return cls(settings=settings, db=db, bus=build_bus(settings))

    async def prepare(self) -> None:
        """Build the trader, check and migrate the database, and make sure history exists.

        Everything a user can get wrong fails here, before the server starts.
        """
        trader = build_trader(self.settings, self.db, self.bus)
        self.traders[trader.context.trader_id] = trader
        await self.db.check()
        if await migrations.current(self.db.engine) != migrations.head():
            # Backed up, checked and rolled back on failure like 'tradestack db upgrade'.
            await change_schema(self.settings.database_url, self.settings.home, "head", "upgrade")
        run = self.settings.run
        self.backfill = await backfill_synthetic(
            self.db,
            SyntheticMarket(seed=run.seed),
            symbol=run.symbol,
            timeframe=run.timeframe,
            history_bars=run.history_bars,
        )

    async def start(self) -> None:
        """Start the bus, the audit sink, the trader (after restoring it) and the live feed."""
        run = self.settings.run
        await self.audit_start()
        self.feed = LiveReplayFeed(
            db=self.db,
            bus=self.bus,
            market=SyntheticMarket(seed=run.seed),
            symbol=run.symbol,
            timeframe=run.timeframe,
            interval_s=run.replay_interval_s,
        )
        for trader in self.traders.values():
            await trader.start()
        await self.bus.start()
        await self.feed.start()

    async def audit_start(self) -> None:
        """Start copying events to the audit table (before anything publishes)."""
        self.audit = AuditSink(db=self.db, bus=self.bus)
        await self.audit.start()

    async def stop(self) -> None:
        """Stop the feed first, let the bus drain into the traders, then stop and flush."""
        if self.feed is not None:
            await self.feed.stop()
        await self.bus.close()
        for trader in self.traders.values():
            await trader.stop()
        if self.audit is not None:
            await self.audit.stop()
        await self.db.dispose()
        self.stopped = True

    def apply_settings(self, settings: Settings, changed: list[str]) -> None:
        """Take over reloaded settings; only keys marked reloadable differ from the running ones."""
        self.settings = settings
        logging.getLogger("tradestack").setLevel(settings.log_level)
        limits = RiskLimits(max_position_size_usd=settings.risk.max_position_size_usd)
        for trader in self.traders.values():
            trader.context.risk_limits = limits

    def status(self) -> dict[str, Any]:
        return {
            "version": __version__,
            "shape": "all-in-one",
            "uptime_s": round(time.time() - self.started_at, 1),
            "database": describe_url(self.settings.database_url),
            "event_bus": self.bus.health(),
            "feed": {
                "state": self.feed.state.value if self.feed else "INIT",
                "bars_published": self.feed.bars_published if self.feed else 0,
            },
            "traders": [t.summary() for t in self.traders.values()],
        }
