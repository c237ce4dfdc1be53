"""The exec-risk half of every trader in the services shape: settle, wait for the strategy, act.

On ``market.bar`` each trader of the series settles the bar (the venue trades
its working orders, the portfolio is marked) and one ``BarsSettled`` message
with every trader's settlement goes to the strategy service; the handler then
waits for each trader's evaluation (``BarsEvaluated``) and acts on its
signals before it returns, so the bar is
acknowledged only once it is finished and the next bar settles only after
this bar's orders reached the venue: the same order of stages as one process.
A bar a killed exec-risk had not finished is delivered again, and the
restarted trader (restored to its last finished bar) settles it again.
"""

from __future__ import annotations

import asyncio
import logging
from copy import copy
from datetime import datetime

from tradestack.bus.codec import message_event, message_of
from tradestack.domain.events import Event, EventType
from tradestack.domain.messages import BarSettled, BarsEvaluated, BarsSettled
from tradestack.traders.events import bar_from_event
from tradestack.traders.manager import TraderManager
from tradestack.traders.runner import TraderRunner
from tradestack.traders.step import TraderStep

log = logging.getLogger(__name__)
SERVICE = "exec-risk"
_Waiting = tuple[TraderRunner, TraderStep, "asyncio.Future[None]"]


class SettlingTraderManager(TraderManager):
    """A TraderManager whose strategies run in the strategy service."""

    drain_wait_s = 15.0
    """How long a draining exec-risk waits for the strategy's answer to a settled bar."""
    draining = False

    def _subscribe(self) -> None:
        self._waiting: dict[tuple[str, datetime], _Waiting] = {}
        self.bus.subscribe(EventType.MARKET_BAR, self._settle_bar, group=SERVICE)
        self.bus.subscribe(
            EventType.STRATEGY_EVALUATED, self._act_on_evaluation, group=f"{SERVICE}-evaluated"
        )

    async def _settle_bar(self, event: Event) -> None:
        bar = bar_from_event(event)
        loop = asyncio.get_running_loop()
        settled: list[BarSettled] = []
        waits: list[asyncio.Future[None]] = []
        for runner in list(self._by_series.get((bar.symbol, bar.timeframe), ())):
            step = await runner.settle(bar)
            if step is None:
                continue
            done: asyncio.Future[None] = loop.create_future()
            self._waiting[(runner.trader_id, bar.ts)] = (runner, step, done)
            waits.append(done)
            settled.append(settlement(runner, step))
        if not settled:
            return
        message = BarsSettled(bar=bar, settlements=settled)
        await self.bus.publish(
            message_event(message, source_service=SERVICE, trace_id=event.trace_id)
        )
        await self._wait(waits)

    async def finish_waiting(self, timeout_s: float = 10.0) -> None:
        """Let every settled bar get its evaluation and be acted on (before the bus closes)."""
        waiting = getattr(self, "_waiting", {})
        pending = [done for _runner, _step, done in waiting.values() if not done.done()]
        if pending:
            await asyncio.wait(pending, timeout=timeout_s)

    async def _wait(self, waits: list[asyncio.Future[None]]) -> None:
        """Wait for every evaluation; while draining, give up after ``drain_wait_s``."""
        pending = set(waits)
        while pending:
            timeout = self.drain_wait_s if self.draining else 1.0
            _done, pending = await asyncio.wait(pending, timeout=timeout)
            if pending and self.draining:
                log.warning("%d trader(s) left a bar unfinished at drain", len(pending))
                return

    async def _act_on_evaluation(self, event: Event) -> None:
        answer: BarsEvaluated = message_of(event)
        for evaluated in answer.evaluations:
            entry = self._waiting.pop((evaluated.trader_id, evaluated.bar.ts), None)
            if entry is None:
                continue  # a repeated evaluation, or one for a bar this process never settled
            runner, step, done = entry
            try:
                await runner.act(step, evaluated.signals, event.trace_id)
            finally:
                if not done.done():
                    done.set_result(None)


def settlement(runner: TraderRunner, step: TraderStep) -> BarSettled:
    """What the strategy of ``runner`` may know after ``step`` was settled."""
    ctx = runner.context
    assert step.bar is not None
    symbols = {p.symbol for p in step.positions} | {step.bar.symbol}
    return BarSettled(
        trader_id=ctx.trader_id,
        bar=step.bar,
        fills=list(step.fills),
        positions=[copy(p) for p in step.positions],  # the memory bus hands objects over as-is
        orders=[copy(change.order) for change in ctx.orders.changes],
        quantities={symbol: ctx.portfolio.quantity(symbol) for symbol in symbols},
        cash=ctx.portfolio.cash,
        equity=ctx.portfolio.equity,
    )
