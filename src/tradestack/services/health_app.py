"""The small HTTP face of every service: /health, /ready, /metrics and drain."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse

from tradestack.services.host import ServiceHost


def health_router(host: ServiceHost) -> APIRouter:
    router = APIRouter(tags=["service"])

    @router.get("/health")
    async def health() -> dict[str, Any]:
        """Liveness: the process answers."""
        return {"status": "ok", "service": host.service, "state": host.state.value}

    @router.get("/ready")
    async def ready() -> JSONResponse:
        """Readiness: 200 when it can take work, 503 with the failing checks otherwise."""
        body = await host.readiness()
        return JSONResponse(body, status_code=200 if body["ready"] else 503)

    @router.get("/metrics")
    async def metrics() -> Response:
        host.bus.health()  # refreshes the lag gauges
        return Response(host.metrics.render(), media_type="text/plain; version=0.0.4")

    @router.post("/api/v1/system/drain")
    async def drain(request: Request) -> dict[str, Any]:
        """Stop taking work, finish in-flight work, then exit (admin)."""
        asyncio.get_running_loop().create_task(host.drain())
        return {"service": host.service, "draining": True}

    return router


def build_health_app(host: ServiceHost) -> FastAPI:
    app = FastAPI(title=f"tradestack {host.service}", docs_url=None, redoc_url=None)
    app.include_router(health_router(host))
    return app
