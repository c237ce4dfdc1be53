"""Reload a running paper trader's strategy at a bar boundary, keeping its positions.

``trader reload ID`` bumps the trader's stored ``strategy_revision``; the
manager sees the new revision on its next reconcile and asks the runner to
reload; the runner swaps the strategy just before its next bar. The new
strategy object is made from the same name and parameters (a changed file is
re-imported because the loader keys files by modification time) and warmed
up on the stored bars before that bar, like a restart. The portfolio, the
working orders and the venue are untouched. A file that no longer loads is
logged and the old strategy keeps trading.
"""

from __future__ import annotations

import logging
from datetime import datetime

from tradestack.storage.database import Database
from tradestack.storage.repositories.bars import recent_bars
from tradestack.strategy.registry import create_strategy
from tradestack.system.stages import StrategyStage
from tradestack.traders.context import TraderContext
from tradestack.traders.spec import TraderSpec

log = logging.getLogger(__name__)


async def reload_strategy(
    db: Database,
    stage: StrategyStage,
    context: TraderContext,
    spec: TraderSpec,
    before: datetime,
) -> StrategyStage:
    """Return a new stage with a fresh, warmed-up strategy; the old stage (logged) on failure."""
    try:
        strategy = create_strategy(spec.strategy, spec.params)
    except Exception as error:  # a broken file must not stop the trader
        log.error("trader %s: reload failed, old strategy kept: %s", spec.trader_id, error)
        return stage
    async with db.read() as connection:
        history = await recent_bars(
            connection, spec.symbol, spec.timeframe, limit=strategy.warmup_bars + 1, before=before
        )
    fresh = StrategyStage(strategy, stage.context)
    fresh.warm_up(history)
    context.strategy = strategy
    log.info("trader %s: strategy %s reloaded at %s", spec.trader_id, spec.strategy, before)
    return fresh
