"""Build the FastAPI application around a kernel; the lifespan starts and stops the kernel."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

from tradestack import __version__
from tradestack.api.errors import install_error_handlers
from tradestack.api.routes import (
    alerts,
    analytics,
    backtests,
    data,
    health,
    market,
    orders,
    positions,
    system,
    traders,
)
from tradestack.kernel import Kernel

Hook = Callable[[Kernel], Awaitable[None]]


def build_api(
    kernel: Kernel, *, on_start: Hook | None = None, on_stop: Hook | None = None
) -> FastAPI:
    """Return the app. ``on_start``/``on_stop`` run inside the server's lifespan."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if on_start is not None:
            await on_start(kernel)
        try:
            yield
        finally:
            if on_stop is not None:
                await on_stop(kernel)

    app = FastAPI(
        title="tradestack",
        version=__version__,
        description="Self-hosted algorithmic trading: market data, traders, orders, positions.",
        lifespan=lifespan,
    )
    app.state.kernel = kernel
    install_error_handlers(app)
    v1 = APIRouter(prefix="/api/v1")
    for module in (
        health,
        system,
        market,
        data,
        orders,
        positions,
        traders,
        alerts,
        analytics,
        backtests,
    ):
        v1.include_router(module.router)
    app.include_router(v1)
    return app
