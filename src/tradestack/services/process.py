"""Run one service as this process: start it, serve its HTTP face, drain on SIGTERM/SIGINT."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Iterator

import uvicorn
from fastapi import FastAPI

from tradestack.config.settings import Settings
from tradestack.errors import ConfigError
from tradestack.services import SERVICE_NAMES
from tradestack.services.analytics import AnalyticsService
from tradestack.services.exec_risk import ExecRiskService
from tradestack.services.gateway import GatewayService
from tradestack.services.health_app import build_health_app
from tradestack.services.host import ServiceHost
from tradestack.services.market_data import MarketDataService
from tradestack.services.strategy import StrategyService

HOSTS: dict[str, type[ServiceHost]] = {
    "market-data": MarketDataService,
    "strategy": StrategyService,
    "exec-risk": ExecRiskService,
    "analytics": AnalyticsService,
    "gateway": GatewayService,
}


class _Server(uvicorn.Server):
    """Leaves signals to the service, which drains before the server stops."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def build_host(name: str, settings: Settings) -> ServiceHost:
    if name not in HOSTS:
        raise ConfigError(f"unknown service {name!r} (services: {', '.join(SERVICE_NAMES)})")
    return HOSTS[name](settings)


def http_app(host: ServiceHost) -> tuple[FastAPI, int]:
    settings = host.settings
    if isinstance(host, GatewayService):
        return host.app(), settings.api_port
    app = build_health_app(host)
    if isinstance(host, AnalyticsService):
        app.include_router(host.routes())
    port = getattr(settings.services, host.service.replace("-", "_") + "_port")
    return app, port


async def serve(name: str, settings: Settings) -> None:
    """Run the service until it has drained after SIGTERM, SIGINT or a drain request."""
    host = build_host(name, settings)
    await host.start()
    app, port = http_app(host)
    server = _Server(
        uvicorn.Config(
            app,
            host=settings.services.host if name != "gateway" else settings.api_host,
            port=port,
            log_level="warning",
            access_log=False,
            lifespan="off",
        )
    )
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, lambda: loop.create_task(host.drain()))
    web = asyncio.create_task(server.serve())
    await host.exit.wait()
    server.should_exit = True
    await web
    await host.stop()
