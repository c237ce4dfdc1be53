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


KernelDep = Annotated[Kernel, Depends(get_kernel)]
DatabaseDep = Annotated[Database, Depends(get_database)]
