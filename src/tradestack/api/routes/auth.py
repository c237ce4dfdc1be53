"""Who am I: the caller's name and role, so clients (the dashboard) can show what they may do."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from tradestack.api.errors import error_responses
from tradestack.api.security import ViewerDep

router = APIRouter(prefix="/auth", tags=["auth"])


class Me(BaseModel):
    name: str
    role: str
    anonymous: bool


@router.get("/me", response_model=Me, responses=error_responses(401, 403, 429))
async def me(who: ViewerDep) -> Me:
    """The token's holder and role; ``anonymous`` for token-less reads from loopback."""
    return Me(name=who.name, role=who.role.label, anonymous=who.anonymous)
