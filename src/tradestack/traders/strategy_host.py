"""StrategyHost: the strategy half of every trader, for the services shape.

It runs each active trader's strategy on ``market.bar`` and publishes one
``strategy.evaluated`` event per trader and bar (with the bar and its signals,
often none), so the exec-risk service settles and acts on bars in the same
order as the all-in-one TraderContext does. Progress is stored per bar: a
restarted host warms up to its last finished bar and resumes at the next.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from decimal import Decimal
from typing import Any

from tradestack.bus.port import EventBus
from tradestack.config.settings import Settings
from tradestack.domain.events import Event, EventType
from tradestack.domain.market import Bar
from tradestack.domain.timeframes import Timeframe
from tradestack.lifecycle import Component
from tradestack.storage.database import Database
from tradestack.storage.repositories.bars import bars_between, recent_bars
from tradestack.storage.repositories.portfolio import list_positions
from tradestack.storage.repositories.progress import load_progress, save_progress
from tradestack.strategy.base import Strategy
from tradestack.strategy.registry import create_strategy
from tradestack.traders import admin
from tradestack.traders.events import bar_from_event
from tradestack.traders.spec import ACTIVE, HALTED, TraderSpec

log = logging.getLogger(__name__)
STRATEGY = "strategy"


class _View:
    """What a strategy may know of its trader here: positions, from events and storage."""

    def __init__(self, trader_id: str) -> None:
        self.trader_id = trader_id
        self.positions: dict[str, Decimal] = {}

    def position_quantity(self, symbol: str) -> Decimal:
        return self.positions.get(symbol, Decimal(0))


class _Slot:
    def __init__(self, spec: TraderSpec, strategy: Strategy) -> None:
        self.spec = spec
        self.strategy = strategy
        self.view = _View(spec.trader_id)
        self.last_ts: datetime | None = None
        self.fault: str | None = None
        self.evaluated = 0


class StrategyHost(Component):
    name = "strategy-host"

    def __init__(
        self, *, db: Database, bus: EventBus, settings: Settings, poll_interval_s: float = 1.0
    ) -> None:
        super().__init__()
        self.db = db
        self.bus = bus
        self.settings = settings
        self.poll_interval_s = poll_interval_s
        self.slots: dict[str, _Slot] = {}
        self._lock = asyncio.Lock()

    async def _on_start(self) -> None:
        await self.reconcile()
        self.bus.subscribe(EventType.MARKET_BAR, self._on_bar, group=STRATEGY)
        self.bus.subscribe("position.*", self._on_position, group="strategy-positions")
        self.spawn(self._poll(), "reconcile")

    async def reconcile(self) -> None:
        async with self._lock:
            wanted = {
                s.trader_id: s
                for s in await admin.stored_traders(self.db)
                if s.status in (ACTIVE, HALTED)
            }
            for trader_id in set(self.slots) - set(wanted):
                del self.slots[trader_id]
            for trader_id, spec in wanted.items():
                if trader_id not in self.slots:
                    try:
                        self.slots[trader_id] = await self._load(spec)
                    except ValueError as error:
                        log.error("strategy of trader %s cannot start: %s", trader_id, error)

    async def _load(self, spec: TraderSpec) -> _Slot:
        slot = _Slot(spec, create_strategy(spec.strategy, spec.params))
        frame = Timeframe.parse(spec.timeframe)
        async with self.db.read() as connection:
            finished = await load_progress(connection, spec.trader_id, STRATEGY)
            warmup = slot.strategy.warmup_bars + 1
            if finished is None:
                history = await recent_bars(connection, spec.symbol, spec.timeframe, limit=warmup)
            else:
                history = await bars_between(
                    connection,
                    spec.symbol,
                    spec.timeframe,
                    start=finished - frame.delta * warmup,
                    end=finished + frame.delta,
                )
            for position in await list_positions(connection, trader_id=spec.trader_id):
                slot.view.positions[position.symbol] = (
                    slot.view.positions.get(position.symbol, Decimal(0)) + position.quantity
                )
        for bar in history:
            slot.strategy.on_bar(bar, slot.view)
        slot.last_ts = history[-1].ts if history else finished
        return slot

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(self.poll_interval_s)
            await self.reconcile()

    async def _on_bar(self, event: Event) -> None:
        bar = bar_from_event(event)
        for slot in list(self.slots.values()):
            spec = slot.spec
            if spec.symbol != bar.symbol or spec.timeframe != bar.timeframe or slot.fault:
                continue
            if slot.last_ts is not None and bar.ts <= slot.last_ts:
                continue
            await self._evaluate(slot, bar, event.trace_id)

    async def _evaluate(self, slot: _Slot, bar: Bar, trace_id: str) -> None:
        try:
            signals = list(slot.strategy.on_bar(bar, slot.view))
        except Exception as error:
            slot.fault = f"{type(error).__name__}: {error}"
            log.exception("strategy of trader %s failed", slot.spec.trader_id)
            return
        payload: dict[str, Any] = {"trader_id": slot.spec.trader_id, "bar": bar, "signals": signals}
        await self.bus.publish(
            Event.create(
                EventType.STRATEGY_EVALUATED,
                payload,
                source_service="strategy",
                trader_id=slot.spec.trader_id,
                trace_id=trace_id,
            )
        )
        async with self.db.transaction() as connection:
            await save_progress(connection, slot.spec.trader_id, STRATEGY, bar.ts)
        slot.last_ts = bar.ts
        slot.evaluated += 1

    async def _on_position(self, event: Event) -> None:
        position = event.payload.get("position") or {}
        slot = self.slots.get(str(position.get("trader_id") or event.trader_id))
        if slot is None or "symbol" not in position:
            return
        slot.view.positions[position["symbol"]] = Decimal(str(position.get("quantity", "0")))

    def summaries(self) -> list[dict[str, Any]]:
        return [
            {
                "trader_id": s.spec.trader_id,
                "strategy": s.spec.strategy,
                "fault": s.fault,
                "bars_evaluated": s.evaluated,
                "last_bar": s.last_ts.isoformat() if s.last_ts else None,
            }
            for s in self.slots.values()
        ]
