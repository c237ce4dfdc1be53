"""RemoteTraders: TraderControl for the gateway, over the database and the bus.

Desired states go to the ``traders`` table (the exec-risk and strategy services
converge to it within a second); live figures and emergency stops go to
exec-risk by RPC, so a kill switch acts at once rather than at the next poll;
orders placed or canceled over the API go to exec-risk by RPC too.
"""

from __future__ import annotations

import logging
from typing import Any

from tradestack.bus.port import EventBus
from tradestack.config.settings import Settings
from tradestack.domain.commands import SubmitOrder
from tradestack.domain.orders import Order
from tradestack.errors import BusTimeoutError, ConfigError, RemoteCallError
from tradestack.storage.database import Database
from tradestack.traders import admin, remote_orders
from tradestack.traders.spec import HALTED, STOPPED, TraderSpec

log = logging.getLogger(__name__)
EXEC_RISK = "exec-risk"


class RemoteTraders:
    def __init__(self, *, db: Database, bus: EventBus, settings: Settings) -> None:
        self.db = db
        self.bus = bus
        self.settings = settings

    async def specs(self) -> list[TraderSpec]:
        return await admin.stored_traders(self.db)

    async def summaries(self) -> dict[str, dict[str, Any]]:
        try:
            reply = await self.bus.call(EXEC_RISK, "summaries", {}, timeout_s=2.0)
        except (BusTimeoutError, RemoteCallError) as error:
            log.warning("no trader figures from exec-risk: %s", error)
            return {}
        return dict(reply.get("traders") or {})

    async def add(self, spec: TraderSpec) -> TraderSpec:
        await admin.add_trader(self.db, self.settings, spec)
        return spec

    async def start_trader(self, trader_id: str) -> None:
        await admin.set_status(self.db, trader_id, "active")

    async def stop_trader(self, trader_id: str) -> None:
        await admin.set_status(self.db, trader_id, STOPPED)

    async def emergency_stop(self, trader_id: str, *, flatten: bool = False) -> int:
        await admin.set_status(self.db, trader_id, HALTED, flatten=flatten)
        try:
            reply = await self.bus.call(
                EXEC_RISK,
                "emergency_stop",
                {"trader_id": trader_id, "flatten": flatten},
                timeout_s=5.0,
            )
        except (BusTimeoutError, RemoteCallError) as error:
            log.warning(
                "exec-risk did not confirm the emergency stop (it will converge): %s", error
            )
            return 0
        return int(reply.get("canceled_orders", 0))

    async def submit_order(self, command: SubmitOrder) -> Order:
        """Place an order through the exec-risk service, which owns the trader's venue."""
        reply = await self.bus.call(
            EXEC_RISK, "submit_order", remote_orders.encode_command(command), timeout_s=5.0
        )
        return remote_orders.order_from_reply(reply)

    async def cancel_order(self, client_order_id: str) -> Order:
        reply = await self.bus.call(
            EXEC_RISK, "cancel_order", {"client_order_id": client_order_id}, timeout_s=5.0
        )
        return remote_orders.order_from_reply(reply)

    async def remove(self, trader_id: str) -> None:
        for spec in await self.specs():
            if spec.trader_id == trader_id and spec.status != STOPPED:
                raise ConfigError(f"trader {trader_id!r} is running; stop it first")
        await admin.remove_trader(self.db, trader_id)
