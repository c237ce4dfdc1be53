"""API tokens: only the SHA-256 of a token is stored, never the token itself."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from tradestack.storage.tables import api_tokens


async def insert_token(
    connection: AsyncConnection,
    *,
    token_id: str,
    name: str,
    role: str,
    token_hash: str,
    created_at: datetime,
    expires_at: datetime | None = None,
    trader_ids: str | None = None,
) -> None:
    await connection.execute(
        api_tokens.insert(),
        {
            "token_id": token_id,
            "name": name,
            "role": role,
            "token_hash": token_hash,
            "created_at": created_at,
            "expires_at": expires_at,
            "trader_ids": trader_ids,
        },
    )


async def find_by_hash(connection: AsyncConnection, token_hash: str) -> dict[str, object] | None:
    """Return the active (not revoked) token with this hash, or None."""
    query = select(api_tokens).where(
        api_tokens.c.token_hash == token_hash, api_tokens.c.revoked_at.is_(None)
    )
    row = (await connection.execute(query)).first()
    return dict(row._mapping) if row is not None else None


async def list_tokens(connection: AsyncConnection) -> list[dict[str, object]]:
    query = select(
        api_tokens.c.token_id,
        api_tokens.c.name,
        api_tokens.c.role,
        api_tokens.c.created_at,
        api_tokens.c.revoked_at,
        api_tokens.c.expires_at,
        api_tokens.c.trader_ids,
    ).order_by(api_tokens.c.created_at, api_tokens.c.token_id)
    return [dict(row._mapping) for row in (await connection.execute(query)).all()]


async def revoke_tokens(connection: AsyncConnection, id_or_name: str, at: datetime) -> int:
    """Revoke the active token with this id, or every active token with this name."""
    statement = (
        update(api_tokens)
        .where(
            or_(api_tokens.c.token_id == id_or_name, api_tokens.c.name == id_or_name),
            api_tokens.c.revoked_at.is_(None),
        )
        .values(revoked_at=at)
    )
    result = await connection.execute(statement)
    return int(result.rowcount or 0)
