"""The small HTTP face of every service: /health, /ready, /metrics and drain."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse

from tradestack.api.errors import error_responses, install_error_handlers
from tradestack.api.security import Gate, require_admin
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

    @router.post(
        "/api/v1/system/drain",
        dependencies=[Depends(require_admin)],
        responses=error_responses(401, 403, 429),
    )
    async def drain(request: Request) -> dict[str, Any]:
        """Stop taking work, finish in-flight work, then exit (needs an admin token)."""
        asyncio.get_running_loop().create_task(host.drain())
        return {"service": host.service, "draining": True}

    return router


def build_health_app(host: ServiceHost) -> FastAPI:
    app = FastAPI(title=f"tradestack {host.service}", docs_url=None, redoc_url=None)
    app.state.gate = Gate.from_settings(host.settings, host.db)  # drain checks tokens
    install_error_handlers(app)
    app.include_router(health_router(host))
    return app
