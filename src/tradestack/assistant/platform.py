"""What the assistant reads through: the same narrow surface the API routes use.

The running kernel (all-in-one) and the gateway (services shape) both fit
``AssistantPlatform``. ``StoredPlatform`` fits it without a running platform
(the CLI): it reads the database and edits stored trader definitions, which a
running platform converges to within a second.
"""

from __future__ import annotations

from typing import Any, Protocol

from tradestack import __version__
from tradestack.config.settings import Settings
from tradestack.domain.commands import SubmitOrder
from tradestack.domain.orders import Order
from tradestack.errors import TradestackError
from tradestack.storage.database import Database
from tradestack.storage.engine import describe_url
from tradestack.traders import admin
from tradestack.traders.control import TraderControl
from tradestack.traders.spec import ACTIVE, HALTED, STOPPED, TraderSpec


class AssistantPlatform(Protocol):
    """Read-only members, so the kernel's and the gateway's properties fit it."""

    @property
    def settings(self) -> Settings: ...

    @property
    def db(self) -> Database: ...

    @property
    def traders(self) -> TraderControl: ...

    async def status(self) -> dict[str, Any]: ...


class StoredTraders:
    """TraderControl over stored definitions only: no live figures, no order routing."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def specs(self) -> list[TraderSpec]:
        return await admin.stored_traders(self.db)

    async def summaries(self) -> dict[str, dict[str, Any]]:
        return {}

    async def add(self, spec: TraderSpec) -> TraderSpec:
        raise TradestackError("adding traders is not an assistant action")

    async def start_trader(self, trader_id: str) -> None:
        await admin.set_status(self.db, trader_id, ACTIVE)

    async def stop_trader(self, trader_id: str) -> None:
        await admin.set_status(self.db, trader_id, STOPPED)

    async def emergency_stop(self, trader_id: str, *, flatten: bool = False) -> int:
        await admin.set_status(self.db, trader_id, HALTED, flatten=flatten)
        return 0

    async def remove(self, trader_id: str) -> None:
        raise TradestackError("removing traders is not an assistant action")

    async def submit_order(self, command: SubmitOrder) -> Order:
        raise TradestackError("placing orders needs the running platform")

    async def cancel_order(self, client_order_id: str) -> Order:
        raise TradestackError(
            "cancelling an order needs the running platform: confirm it from the API or dashboard"
        )


class StoredPlatform:
    """The CLI's view: the database and the stored traders, without a running kernel."""

    def __init__(self, settings: Settings, db: Database) -> None:
        self.settings = settings
        self.db = db
        self.traders: TraderControl = StoredTraders(db)

    async def status(self) -> dict[str, Any]:
        specs = await self.traders.specs()
        return {
            "version": __version__,
            "shape": "offline (read from the database; no platform process asked)",
            "database": describe_url(self.settings.database_url),
            "traders": [
                {"trader_id": s.trader_id, "state": s.status.upper(), "symbol": s.symbol}
                for s in specs
            ],
        }
