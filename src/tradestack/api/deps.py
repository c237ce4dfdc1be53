"""Dependencies shared by routes: the Platform and its database, as ``Annotated`` aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from tradestack.api.security import current_principal
from tradestack.auth.roles import Principal
from tradestack.errors import ServiceUnavailableError
from tradestack.storage.database import Database
from tradestack.system.platform import Platform


# ``async`` on purpose: FastAPI runs plain ``def`` dependencies in a worker thread, and that
# hop cost more than the rest of a cached chart request together.
async def get_platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


async def get_database(request: Request) -> Database:
    platform: Platform = request.app.state.platform
    return platform.db


async def get_actor(
    request: Request, principal: Annotated[Principal | None, Depends(current_principal)]
) -> str:
    """Who is calling, for the audit trail: ``api:<token name>``, else ``api:<client address>``."""
    if principal is not None and not principal.anonymous:
        return f"api:{principal.name}"
    client = request.client
    return f"api:{client.host}" if client is not None else "api:unknown"


def ensure_accepting_work(kernel: Platform) -> None:
    """Refuse new work at once while the process drains (services shape), with a retry hint.

    A draining gateway has closed its bus: an RPC would only wait for its timeout.
    """
    if getattr(kernel, "draining", False):
        raise ServiceUnavailableError(
            "this gateway is draining and takes no new orders; retry on another instance",
            retry_after_s=5,
        )


PlatformDep = Annotated[Platform, Depends(get_platform)]
ActorDep = Annotated[str, Depends(get_actor)]
DatabaseDep = Annotated[Database, Depends(get_database)]
