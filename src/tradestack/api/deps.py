"""Dependencies shared by routes: the kernel and its database, as ``Annotated`` aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from tradestack.kernel import Kernel
from tradestack.storage.database import Database


# ``async`` on purpose: FastAPI runs plain ``def`` dependencies in a worker thread, and that
# hop cost more than the rest of a cached chart request together.
async def get_kernel(request: Request) -> Kernel:
    kernel: Kernel = request.app.state.kernel
    return kernel


async def get_database(request: Request) -> Database:
    kernel: Kernel = request.app.state.kernel
    return kernel.db


KernelDep = Annotated[Kernel, Depends(get_kernel)]
DatabaseDep = Annotated[Database, Depends(get_database)]
