"""Liveness: is the process up and can it reach its database."""

from __future__ import annotations

from fastapi import APIRouter

from tradestack import __version__
from tradestack.api.deps import DatabaseDep
from tradestack.api.errors import error_response
from tradestack.api.schemas import ErrorResponse, Health
from tradestack.errors import DatabaseUnavailableError

router = APIRouter(tags=["system"])


@router.get("/health", response_model=Health, responses={503: {"model": ErrorResponse}})
async def health(db: DatabaseDep) -> Health | object:
    """Answer ``{"status": "ok"}`` while the database answers, 503 otherwise.

    A successful database check is trusted for one second, so heavy polling
    costs no database round trip per request.
    """
    try:
        await db.check(max_age_s=1.0)
    except DatabaseUnavailableError as error:
        return error_response(503, "database_unavailable", str(error))
    return Health(status="ok", version=__version__, database="ok")
