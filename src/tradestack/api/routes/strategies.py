"""Strategies that traders can run, with the schema of their parameters."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from tradestack.api.errors import error_responses
from tradestack.api.schemas import StrategyOut
from tradestack.errors import NotFoundError
from tradestack.strategy.registry import strategy_classes

router = APIRouter(prefix="/strategies", tags=["strategies"])


def _out(cls: Any) -> StrategyOut:
    schema = cls.schema()
    return StrategyOut(interface_version=cls.INTERFACE_VERSION, **schema)


@router.get("", response_model=list[StrategyOut], responses=error_responses(401, 403, 429))
async def list_strategies() -> list[StrategyOut]:
    """Every built-in strategy: name, description and parameters (type, default, bounds)."""
    return [_out(cls) for _name, cls in sorted(strategy_classes().items())]


@router.get(
    "/{name}", response_model=StrategyOut, responses=error_responses(401, 403, 404, 422, 429)
)
async def get_strategy(name: str) -> StrategyOut:
    cls = strategy_classes().get(name)
    if cls is None:
        raise NotFoundError(
            f"unknown strategy {name!r} (available: {', '.join(strategy_classes())})"
        )
    return _out(cls)
