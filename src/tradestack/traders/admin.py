"""Change stored trader definitions without a running platform (the CLI's path).

A running platform's TraderManager converges to these changes within a second.
"""

from __future__ import annotations

import dataclasses

from tradestack.config.settings import Settings
from tradestack.errors import ConfigError, NotFoundError
from tradestack.storage.database import Database
from tradestack.storage.repositories.traders import (
    delete_trader,
    get_trader,
    list_traders,
    save_trader,
)
from tradestack.traders.spec import TraderSpec


async def add_trader(db: Database, settings: Settings, spec: TraderSpec) -> None:
    spec.validate(settings)
    async with db.transaction() as connection:
        if await get_trader(connection, spec.trader_id) is not None:
            raise ConfigError(f"trader {spec.trader_id!r} already exists")
        await save_trader(connection, spec.to_record())


async def set_status(
    db: Database, trader_id: str, status: str, *, flatten: bool = False
) -> TraderSpec:
    async with db.transaction() as connection:
        record = await get_trader(connection, trader_id)
        if record is None:
            raise NotFoundError(f"no trader named {trader_id!r}")
        spec = dataclasses.replace(
            TraderSpec.from_record(record), status=status, halt_flatten=flatten
        )
        await save_trader(connection, spec.to_record(created_at=record.created_at))
    return spec


async def request_reload(db: Database, trader_id: str) -> TraderSpec:
    """Bump the strategy revision of a paper trader; its runner reloads at the next bar."""
    async with db.transaction() as connection:
        record = await get_trader(connection, trader_id)
        if record is None:
            raise NotFoundError(f"no trader named {trader_id!r}")
        spec = TraderSpec.from_record(record)
        if spec.venue != "paper":
            raise ConfigError(f"trader {trader_id} trades on {spec.venue}: reload paper traders")
        spec = dataclasses.replace(spec, strategy_revision=spec.strategy_revision + 1)
        await save_trader(connection, spec.to_record(created_at=record.created_at))
    return spec


async def remove_trader(db: Database, trader_id: str) -> None:
    async with db.transaction() as connection:
        if not await delete_trader(connection, trader_id):
            raise NotFoundError(f"no trader named {trader_id!r}")


async def stored_traders(db: Database) -> list[TraderSpec]:
    async with db.read() as connection:
        return [TraderSpec.from_record(r) for r in await list_traders(connection)]
