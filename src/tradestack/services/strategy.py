"""strategy service: every active trader's StrategyStage, answering each settled bar."""

from __future__ import annotations

from typing import Any

from tradestack.services.host import ServiceHost
from tradestack.services.strategy_stages import StrategyStages


class StrategyService(ServiceHost):
    service = "strategy"

    async def _start_role(self) -> None:
        self.host = StrategyStages(db=self.db, bus=self.bus, settings=self.settings)
        await self.host.start()

    async def _drain_role(self) -> None:
        await self._wait_caught_up("strategy")

    async def _after_drain(self) -> None:
        await self.host.stop()

    async def _checks(self) -> dict[str, Any]:
        summaries = self.host.summaries()
        return {
            "strategies_loaded": "ok" if summaries or not self.host.slots else "none",
            "strategies": summaries,
        }
