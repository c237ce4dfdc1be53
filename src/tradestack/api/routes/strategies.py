"""Strategies that traders can run: name, source, interface version, parameter schema.

Read-only by design: strategies come from files, packages and references on
the server (``strategy.registry``); the API never uploads or runs new code.
"""

from __future__ import annotations

from fastapi import APIRouter

from tradestack.api.errors import error_responses
from tradestack.api.schemas import StrategyOut
from tradestack.errors import NotFoundError
from tradestack.strategy.registry import StrategyEntry, catalog, find_strategy

router = APIRouter(prefix="/strategies", tags=["strategies"])


def _out(entry: StrategyEntry) -> StrategyOut:
    described = entry.describe()
    return StrategyOut(
        name=described["name"],
        description=described["description"],
        allow_short=described["allow_short"],
        interface_version=described["interface_version"],
        parameters=described["parameters"],
        source=described["source"],
        location=described["location"],
        interface=described["interface"],
    )


@router.get("", response_model=list[StrategyOut], responses=error_responses(401, 403, 429))
async def list_strategies() -> list[StrategyOut]:
    """Every strategy from every source, with its parameters (type, default, bounds)."""
    return [_out(entry) for _name, entry in sorted(catalog().entries.items())]


@router.get(
    "/{name}", response_model=StrategyOut, responses=error_responses(401, 403, 404, 422, 429)
)
async def get_strategy(name: str) -> StrategyOut:
    if ":" in name:  # a module:Class reference would import code on request: listed names only
        raise NotFoundError(f"unknown strategy {name!r}: the API serves listed strategies only")
    return _out(find_strategy(name))
