"""The danger list: tools that change something. The assistant only proposes them.

Each runs only from ``confirmations.confirm`` after a person whose role allows
it answered yes; the model can neither run nor confirm one.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

from pydantic import Field

from tradestack.assistant.platform import AssistantPlatform
from tradestack.assistant.toolkit import Arguments, Tool, plain
from tradestack.auth.roles import Role
from tradestack.config.settings import RiskSettings
from tradestack.errors import ConfigError, NotFoundError
from tradestack.storage.repositories.traders import get_trader, save_trader
from tradestack.traders.spec import TraderSpec

RISK_LIMITS = tuple(RiskSettings.model_fields)


class TraderArgs(Arguments):
    trader_id: str


class CancelArgs(Arguments):
    client_order_id: str


class RiskLimitArgs(Arguments):
    trader_id: str
    limit: str = Field(description="one of: " + ", ".join(RISK_LIMITS))
    value: Decimal | None = Field(description="the new value; null switches the rule off")


async def _stop(platform: AssistantPlatform, args: TraderArgs) -> Any:
    await platform.traders.stop_trader(args.trader_id)
    return {"trader_id": args.trader_id, "stopped": True}


async def _start(platform: AssistantPlatform, args: TraderArgs) -> Any:
    await platform.traders.start_trader(args.trader_id)
    return {"trader_id": args.trader_id, "started": True}


async def _cancel(platform: AssistantPlatform, args: CancelArgs) -> Any:
    return plain(await platform.traders.cancel_order(args.client_order_id))


async def _flatten(platform: AssistantPlatform, args: TraderArgs) -> Any:
    canceled = await platform.traders.emergency_stop(args.trader_id, flatten=True)
    return {"trader_id": args.trader_id, "halted": True, "flatten": True, "canceled": canceled}


async def _risk_limit(platform: AssistantPlatform, args: RiskLimitArgs) -> Any:
    if args.limit not in RISK_LIMITS:
        raise ConfigError(f"unknown risk limit {args.limit!r} (one of: {', '.join(RISK_LIMITS)})")
    async with platform.db.transaction() as connection:
        record = await get_trader(connection, args.trader_id)
        if record is None:
            raise NotFoundError(f"no trader named {args.trader_id!r}")
        spec = TraderSpec.from_record(record)
        risk = dict(spec.risk)
        risk[args.limit] = None if args.value is None else str(args.value)
        changed = dataclasses.replace(spec, risk=risk)
        changed.validate(platform.settings)
        await save_trader(connection, changed.to_record(created_at=record.created_at))
    return {"trader_id": args.trader_id, "risk": risk, "applies": "when the trader next starts"}


WRITE_TOOLS: tuple[Tool, ...] = (
    Tool(
        "stop_trader",
        "Propose stopping a trader (needs a person's confirmation).",
        TraderArgs,
        _stop,
        write=True,
        role=Role.ADMIN,
    ),
    Tool(
        "start_trader",
        "Propose starting a trader (needs a person's confirmation).",
        TraderArgs,
        _start,
        write=True,
        role=Role.ADMIN,
    ),
    Tool(
        "cancel_order",
        "Propose cancelling a working order (needs a person's confirmation).",
        CancelArgs,
        _cancel,
        write=True,
        role=Role.TRADER,
    ),
    Tool(
        "flatten_trader",
        "Propose an emergency stop that also closes every position (needs confirmation).",
        TraderArgs,
        _flatten,
        write=True,
        role=Role.ADMIN,
    ),
    Tool(
        "set_risk_limit",
        "Propose changing one risk limit of a trader (needs confirmation).",
        RiskLimitArgs,
        _risk_limit,
        write=True,
        role=Role.ADMIN,
    ),
)
DANGER_LIST = frozenset(tool.name for tool in WRITE_TOOLS)
