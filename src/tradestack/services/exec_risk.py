"""exec-risk service: risk checks, orders, the venue and the portfolio of every trader.

It settles each ``market.bar`` for every trader, hands the settlement to the
strategy service, acts on its ``strategy.evaluated`` answer (see
``services.exec_traders``), and answers the gateway over the bus
(RPC): live trader figures, emergency stops, and orders placed or canceled
through the API.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tradestack.bus.codec import to_builtins
from tradestack.services.exec_traders import SettlingTraderManager
from tradestack.services.host import ServiceHost
from tradestack.traders import remote_orders
from tradestack.traders.journal import Journal

SERVICE = "exec-risk"


class ExecRiskService(ServiceHost):
    service = SERVICE

    async def _start_role(self) -> None:
        self.traders = SettlingTraderManager(
            db=self.db,
            bus=self.bus,
            settings=self.settings,
            journal=Journal(self.db, self.bus, source_service=SERVICE),
        )
        await self.traders.start()
        self.bus.serve(SERVICE, "summaries", self._summaries)
        self.bus.serve(SERVICE, "emergency_stop", self._emergency_stop)
        self.bus.serve(SERVICE, "submit_order", self._submit_order)
        self.bus.serve(SERVICE, "cancel_order", self._cancel_order)

    async def _summaries(self, _params: dict[str, Any]) -> dict[str, Any]:
        return {"traders": to_builtins(await self.traders.summaries())}

    async def _emergency_stop(self, params: dict[str, Any]) -> dict[str, Any]:
        canceled = await self.traders.emergency_stop(
            str(params["trader_id"]), flatten=bool(params.get("flatten", False))
        )
        return {"canceled_orders": canceled}

    async def _submit_order(self, params: dict[str, Any]) -> dict[str, Any]:
        return await remote_orders.answer(
            lambda: self.traders.submit_order(remote_orders.decode_command(params))
        )

    async def _cancel_order(self, params: dict[str, Any]) -> dict[str, Any]:
        return await remote_orders.answer(
            lambda: self.traders.cancel_order(str(params["client_order_id"]))
        )

    async def _drain_role(self) -> None:
        self.traders.draining = True
        await self._wait_caught_up("exec-risk")
        await self.traders.finish_waiting()  # bars settled but not yet acted: the bus is open
        await self.traders.journal.flush_or_report()  # publish while the bus is still open

    async def _after_drain(self) -> None:
        # Only now: a stopped trader would take (and acknowledge) events without acting.
        await self.traders.stop()

    async def _checks(self) -> dict[str, str]:
        return {
            "venue": "ok",
            "traders": "ok" if self.traders.state.value == "RUNNING" else self.traders.state.value,
        }

    async def _info(self) -> dict[str, Any]:
        summaries = (await self.traders.summaries()).values()
        faulted = [s["trader_id"] for s in summaries if s["state"] == "FAULTED"]
        return {
            "traders_running": sum(1 for s in summaries if s["state"] == "RUNNING"),
            "traders_faulted": faulted,
            "open_positions": sum(int(s["open_positions"]) for s in summaries),
            "realized_pnl": str(sum((Decimal(s["realized_pnl"]) for s in summaries), Decimal(0))),
        }
