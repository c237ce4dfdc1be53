"""Dependencies shared by routes: the kernel and its database, as ``Annotated`` aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from tradestack.kernel import Kernel
from tradestack.storage.database import Database


def get_kernel(request: Request) -> Kernel:
    kernel: Kernel = request.app.state.kernel
    return kernel


def get_database(request: Request) -> Database:
    kernel: Kernel = request.app.state.kernel
    return kernel.db


def get_actor(request: Request) -> str:
    """Who is calling, for the audit trail: ``api:<client address>`` until tokens name people."""
    client = request.client
    return f"api:{client.host}" if client is not None else "api:unknown"


KernelDep = Annotated[Kernel, Depends(get_kernel)]
ActorDep = Annotated[str, Depends(get_actor)]
DatabaseDep = Annotated[Database, Depends(get_database)]
