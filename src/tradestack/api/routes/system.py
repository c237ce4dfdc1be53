"""What is running: version, shape, bus health, feed and traders."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from tradestack.api.deps import PlatformDep
from tradestack.api.schemas import SystemStatus

router = APIRouter(prefix="/system", tags=["system"])


@router.get("/status", response_model=SystemStatus)
async def system_status(kernel: PlatformDep) -> dict[str, Any]:
    return await kernel.status()


@router.get("/health-graph")
async def health_graph(kernel: PlatformDep) -> dict[str, Any]:
    """Services and how events flow between them, from heartbeats (services shape)."""
    return await kernel.health_graph()
