"""Build the FastAPI application around a kernel; the lifespan starts and stops the kernel.

The same app is the all-in-one shape's API and the services shape's gateway:
REST under ``/api/v1``, the older paths with deprecation headers, the live
WebSocket stream and the dashboard.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware

from tradestack import __version__
from tradestack.api import dashboard
from tradestack.api.errors import error_responses, install_error_handlers
from tradestack.api.legacy import LegacyPaths, document_legacy_paths
from tradestack.api.routes import (
    accounts,
    alerts,
    auth,
    health,
    market,
    orders,
    positions,
    strategies,
    stream,
    system,
    traders,
    trades,
)
from tradestack.api.security import Gate, require_viewer
from tradestack.api.stream.hub import StreamHub
from tradestack.kernel import Kernel

Hook = Callable[[Kernel], Awaitable[None]]

# Routers that only read: every route in them needs the viewer role. Routers
# that mix reads and changes (orders, traders) declare the role per route.
_READ_ONLY = (system, market, positions, trades, accounts, strategies, alerts)
_MIXED = (auth, orders, traders)
_PUBLIC = (health,)

_DESCRIPTION = """Self-hosted algorithmic trading: market data, traders, orders, positions.

**Auth.** Send `Authorization: Bearer <token>` (from `tradestack token create`).
Roles: `viewer` reads, `trader` also places and cancels orders, `admin` also
manages traders. Without a token, requests from loopback may read (setting
`TRADESTACK_API__ANONYMOUS_READ`); changes always need a token. Errors share
one shape: `{"error": {"code", "message", "details"}}`.

**Live stream.** WebSocket `/ws/v1/stream`; see the README for the protocol.
"""


def build_api(
    kernel: Kernel, *, on_start: Hook | None = None, on_stop: Hook | None = None
) -> FastAPI:
    """Return the app. ``on_start``/``on_stop`` run inside the server's lifespan."""
    settings = kernel.settings
    hub = StreamHub(
        kernel.bus,
        queue_size=settings.api.ws_queue_size,
        max_dropped=settings.api.ws_max_dropped,
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if on_start is not None:
            await on_start(kernel)
        await hub.start()
        try:
            yield
        finally:
            await hub.stop()
            if on_stop is not None:
                await on_stop(kernel)

    app = FastAPI(
        title="tradestack",
        version=__version__,
        description=_DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.kernel = kernel
    app.state.hub = hub
    app.state.gate = Gate.from_settings(settings, kernel.db)
    install_error_handlers(app)

    v1 = APIRouter(prefix="/api/v1")
    for module in _PUBLIC + _MIXED:
        v1.include_router(module.router)
    for module in _READ_ONLY:
        v1.include_router(
            module.router,
            dependencies=[Depends(require_viewer)],
            responses=error_responses(401, 403, 422, 429),
        )
    app.include_router(v1)
    app.include_router(stream.router)
    dashboard.install(app)
    app.add_middleware(LegacyPaths)
    app.openapi = document_legacy_paths(app.openapi)  # type: ignore[method-assign]
    if settings.api.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.api.cors_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
            expose_headers=["Deprecation", "Link", "Retry-After", "Location"],
        )
    return app
