"""The strategy half of every trader in the services shape: one StrategyStage per trader.

Each trader's ``BarSettled`` (one ``BarsSettled`` per bar from exec-risk)
updates the trader's ``PositionBook`` (so
the strategy sees the positions after the bar's fills, as in one process),
tells the strategy what changed, evaluates the bar and answers with a
``StrategyEvaluated``, all in one ``BarsEvaluated`` message per bar. Every
settled bar gets an answer, even from a faulted or unknown trader (no
signals), so exec-risk never waits forever.
The last evaluated bar is stored: a restarted service warms up to it and
resumes after it; a settlement repeated by a restarted exec-risk is answered
with the evaluation already made.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from tradestack.bus.codec import message_event, message_of
from tradestack.bus.port import EventBus
from tradestack.config.settings import Settings
from tradestack.domain.events import Event, EventType
from tradestack.domain.messages import BarSettled, BarsEvaluated, BarsSettled, StrategyEvaluated
from tradestack.lifecycle import Component
from tradestack.storage.database import Database
from tradestack.storage.repositories.bars import warm_up_bars
from tradestack.storage.repositories.portfolio import list_balances, list_positions
from tradestack.storage.repositories.progress import load_progress, save_progress_many
from tradestack.system.builder import build_strategy_stage, quote_asset
from tradestack.system.stages import PositionBook, StrategyStage
from tradestack.traders import admin
from tradestack.traders.spec import ACTIVE, HALTED, TraderSpec

log = logging.getLogger(__name__)
STRATEGY = "strategy"


class _Slot:
    __slots__ = ("book", "fault", "last", "last_ts", "spec", "stage")

    def __init__(self, spec: TraderSpec, stage: StrategyStage, book: PositionBook) -> None:
        self.spec = spec
        self.stage = stage
        self.book = book
        self.last_ts: datetime | None = None
        self.last: StrategyEvaluated | None = None
        self.fault: str | None = None


class StrategyStages(Component):
    name = "strategy-stages"

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
        self.bus.subscribe(EventType.BAR_SETTLED, self._on_settled, group=STRATEGY)
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
        book = PositionBook(spec.trader_id, cash=spec.starting_cash, equity=spec.starting_cash)
        stage = build_strategy_stage(spec, book)
        async with self.db.read() as connection:
            finished = await load_progress(connection, spec.trader_id, STRATEGY)
            history = await warm_up_bars(
                connection, spec.symbol, spec.timeframe, stage.warmup_bars + 1, finished
            )
            for position in await list_positions(connection, trader_id=spec.trader_id):
                book.quantities[position.symbol] = (
                    book.position_quantity(position.symbol) + position.quantity
                )
            balances = (await list_balances(connection, trader_id=spec.trader_id)).get(
                spec.trader_id, {}
            )
        quote = quote_asset(spec.symbol)
        if quote in balances:
            book.cash = balances[quote][0]
        stage.warm_up(history)
        slot = _Slot(spec, stage, book)
        slot.last_ts = history[-1].ts if history else finished
        return slot

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(self.poll_interval_s)
            await self.reconcile()

    async def _on_settled(self, event: Event) -> None:
        batch: BarsSettled = message_of(event)
        if any(s.trader_id not in self.slots for s in batch.settlements):
            await self.reconcile()  # a trader exec-risk started before our last look
        answers: list[StrategyEvaluated] = []
        progressed: list[tuple[str, str, datetime]] = []
        for settled in batch.settlements:
            slot = self.slots.get(settled.trader_id)
            evaluated = self._evaluate(slot, settled)
            answers.append(evaluated)
            if slot is not None and slot.last is evaluated:
                progressed.append((settled.trader_id, STRATEGY, settled.bar.ts))
        answer = BarsEvaluated(bar=batch.bar, evaluations=answers)
        await self.bus.publish(
            message_event(answer, source_service=STRATEGY, trace_id=event.trace_id)
        )
        if progressed:
            async with self.db.transaction() as connection:
                await save_progress_many(connection, progressed)

    def _evaluate(self, slot: _Slot | None, settled: BarSettled) -> StrategyEvaluated:
        bar = settled.bar
        none = StrategyEvaluated(trader_id=settled.trader_id, bar=bar)
        if slot is None or slot.fault is not None:
            return none
        if slot.last_ts is not None and bar.ts <= slot.last_ts:
            if slot.last is not None and slot.last.bar.ts == bar.ts:
                return slot.last  # exec-risk restarted and settled this bar again
            log.warning("trader %s: bar %s evaluated before a restart", slot.spec.trader_id, bar.ts)
            return none
        slot.book.apply(settled.quantities, settled.cash, settled.equity)
        try:
            slot.stage.observe(settled.orders, settled.fills, settled.positions)
            signals = list(slot.stage.evaluate(bar))
        except Exception as error:
            slot.fault = f"{type(error).__name__}: {error}"
            log.exception("strategy of trader %s failed", slot.spec.trader_id)
            return none
        slot.last_ts = bar.ts
        slot.last = StrategyEvaluated(trader_id=settled.trader_id, bar=bar, signals=signals)
        return slot.last

    def summaries(self) -> list[dict[str, object]]:
        return [
            {
                "trader_id": s.spec.trader_id,
                "strategy": s.spec.strategy,
                "fault": s.fault,
                "bars_evaluated": s.stage.evaluated,
                "last_bar": s.last_ts.isoformat() if s.last_ts else None,
            }
            for s in self.slots.values()
        ]
