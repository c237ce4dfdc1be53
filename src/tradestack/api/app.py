"""Build the FastAPI application around a Platform (the kernel or the services gateway).

The same app is the all-in-one shape's API and the services shape's gateway:
REST under ``/api/v1``, the older paths with deprecation headers, the live
WebSocket stream and the dashboard.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware

from tradestack import __version__
from tradestack.api import dashboard
from tradestack.api.errors import error_responses, install_error_handlers
from tradestack.api.legacy import LegacyPaths, document_legacy_paths
from tradestack.api.routes import (
    accounts,
    alerts,
    analytics,
    auth,
    backtests,
    data,
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
from tradestack.api.security import Gate, enforce_trader_scope, require_viewer
from tradestack.api.stream.hub import StreamHub
from tradestack.domain.events import Event, EventType
from tradestack.marketdata import recent
from tradestack.system.platform import Platform
from tradestack.traders.events import bar_from_event

P = TypeVar("P", bound=Platform)
V1 = "/api/v1"

# Routers that only read: every route in them needs the viewer role. Routers
# that mix reads and changes (orders, traders, alerts) declare the role per route.
_READ_ONLY = (
    market,
    data,
    system,
    positions,
    trades,
    accounts,
    strategies,
    analytics,
    backtests,
)
_MIXED = (auth, orders, traders, alerts)
_PUBLIC = (health,)

_DESCRIPTION = """Self-hosted algorithmic trading: market data, traders, orders, positions.

**Auth.** Send `Authorization: Bearer <token>` (from `tradestack token create`).
Roles: `viewer` reads, `trader` also places and cancels orders, `admin` also
manages traders. Without a token, requests from loopback may read (setting
`TRADESTACK_API__ANONYMOUS_READ`); changes always need a token. Errors share
one shape: `{"error": {"code", "message", "details"}}`.

**Live stream.** WebSocket `/ws/v1/stream`; see the README for the protocol.
"""


def _serve_recent_bars(kernel: Platform, instance: str) -> None:
    """Answer chart reads from memory, kept current by the bars this gateway sees."""
    cache = recent.RecentBars()

    async def on_bar(event: Event) -> None:
        cache.add(bar_from_event(event))

    kernel.bus.subscribe(EventType.MARKET_BAR, on_bar, group=f"gateway-recent-bars-{instance}")
    recent.enable(kernel.db, cache)


def build_api(
    kernel: P,
    *,
    on_start: Callable[[P], Awaitable[None]] | None = None,
    on_stop: Callable[[P], Awaitable[None]] | None = None,
) -> FastAPI:
    """Return the app around ``kernel`` (either shape's Platform).

    ``on_start``/``on_stop`` run inside the server's lifespan, given the same object.
    """
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
        _serve_recent_bars(kernel, hub.instance)
        gc.freeze()  # startup objects never die: keep them out of the collector's way
        try:
            yield
        finally:
            recent.disable(kernel.db)
            await hub.stop()
            if on_stop is not None:
                await on_stop(kernel)

    app = FastAPI(
        title="tradestack",
        version=__version__,
        description=_DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.platform = kernel
    app.state.hub = hub
    app.state.gate = Gate.from_settings(settings, kernel.db)
    install_error_handlers(app)

    # Routers are included on the app itself (not nested under one v1 router) and the
    # hottest first: each nesting level and each earlier route is paid for on every request.
    for module in _PUBLIC:
        app.include_router(module.router, prefix=V1)
    for module in _READ_ONLY:
        app.include_router(
            module.router,
            prefix=V1,
            dependencies=[Depends(require_viewer), Depends(enforce_trader_scope)],
            responses=error_responses(401, 403, 422, 429),
        )
    for module in _MIXED:
        app.include_router(module.router, prefix=V1, dependencies=[Depends(enforce_trader_scope)])
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
