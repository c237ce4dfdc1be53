"""TraderControl: what the API and CLI may ask of traders, in either shape.

In the all-in-one shape the local TraderManager answers; in the services shape
the gateway's RemoteTraders writes desired states to the database and asks the
exec-risk service over the bus for live figures and emergency stops.
"""

from __future__ import annotations

from typing import Any, Protocol

from tradestack.domain.commands import SubmitOrder
from tradestack.domain.orders import Order
from tradestack.traders.spec import TraderSpec


class TraderControl(Protocol):
    async def specs(self) -> list[TraderSpec]: ...

    async def summaries(self) -> dict[str, dict[str, Any]]: ...

    async def add(self, spec: TraderSpec) -> TraderSpec: ...

    async def start_trader(self, trader_id: str) -> None: ...

    async def stop_trader(self, trader_id: str) -> None: ...

    async def emergency_stop(self, trader_id: str, *, flatten: bool = False) -> int: ...

    async def remove(self, trader_id: str) -> None: ...

    async def submit_order(self, command: SubmitOrder) -> Order: ...

    async def cancel_order(self, client_order_id: str) -> Order: ...


async def trader_overview(control: TraderControl) -> list[dict[str, Any]]:
    """Every stored trader: live figures when it runs, its stored status otherwise."""
    running = await control.summaries()
    return [
        running.get(spec.trader_id)
        or {
            "trader_id": spec.trader_id,
            "state": spec.status.upper(),
            "symbol": spec.symbol,
            "timeframe": spec.timeframe,
            "strategy": spec.strategy,
        }
        for spec in await control.specs()
    ]
