"""Issue, list, revoke and verify API tokens.

A token is ``ts_`` plus 43 random URL-safe characters (256 bits). Only its
SHA-256 is stored: with that much entropy a fast hash is enough, and a stolen
database yields no usable token. The gateway trusts a verified token for
``token_cache_s`` seconds, so a revocation from the CLI takes effect within
that time without a database read on every request.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from tradestack.auth.roles import Principal, Role
from tradestack.errors import ConfigError, NotFoundError
from tradestack.storage.database import Database
from tradestack.storage.repositories import tokens as repository

PREFIX = "ts_"
_NAME = re.compile(r"^[A-Za-z0-9._@-]{1,64}$")
_CACHE_LIMIT = 10_000


@dataclass(frozen=True, slots=True)
class TokenInfo:
    token_id: str
    name: str
    role: Role
    created_at: datetime
    revoked_at: datetime | None = None


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


async def create_token(db: Database, *, name: str, role: Role) -> tuple[TokenInfo, str]:
    """Store a new token and return it with its secret, which is never readable again.

    Raises
    ------
    ConfigError
        The name is empty, too long or has characters other than letters,
        digits and ``. _ @ -``.
    """
    if not _NAME.match(name):
        raise ConfigError(f"token name {name!r} must be 1-64 letters, digits or '.', '_', '@', '-'")
    secret = PREFIX + secrets.token_urlsafe(32)
    info = TokenInfo(
        token_id=secrets.token_hex(4), name=name, role=role, created_at=datetime.now(UTC)
    )
    async with db.transaction() as connection:
        await repository.insert_token(
            connection,
            token_id=info.token_id,
            name=info.name,
            role=info.role.label,
            token_hash=hash_token(secret),
            created_at=info.created_at,
        )
    return info, secret


async def list_tokens(db: Database) -> list[TokenInfo]:
    async with db.read() as connection:
        rows = await repository.list_tokens(connection)
    return [
        TokenInfo(
            token_id=str(row["token_id"]),
            name=str(row["name"]),
            role=Role.parse(str(row["role"])),
            created_at=row["created_at"],  # type: ignore[arg-type]
            revoked_at=row["revoked_at"],  # type: ignore[arg-type]
        )
        for row in rows
    ]


async def revoke_token(db: Database, id_or_name: str) -> int:
    """Revoke the token with this id, or every active token with this name; return how many.

    Raises
    ------
    NotFoundError
        No active token has that id or name.
    """
    async with db.transaction() as connection:
        count = await repository.revoke_tokens(connection, id_or_name, datetime.now(UTC))
    if count == 0:
        raise NotFoundError(f"no active token with id or name {id_or_name!r}")
    return count


class TokenVerifier:
    """Turn a presented token into a Principal, or None when it is unknown or revoked."""

    def __init__(
        self, db: Database, *, bootstrap_token: str | None = None, cache_s: float = 5.0
    ) -> None:
        self.db = db
        self.cache_s = cache_s
        self._bootstrap_hash = hash_token(bootstrap_token) if bootstrap_token else None
        self._cache: dict[str, tuple[Principal | None, float]] = {}

    async def verify(self, token: str) -> Principal | None:
        digest = hash_token(token)
        if self._bootstrap_hash is not None and hmac.compare_digest(digest, self._bootstrap_hash):
            return Principal(name="bootstrap", role=Role.ADMIN)
        now = time.monotonic()
        cached = self._cache.get(digest)
        if cached is not None and cached[1] > now:
            return cached[0]
        async with self.db.read() as connection:
            row = await repository.find_by_hash(connection, digest)
        principal = None
        if row is not None:
            principal = Principal(
                name=str(row["name"]),
                role=Role.parse(str(row["role"])),
                token_id=str(row["token_id"]),
            )
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()  # bounded: guessed tokens must not grow memory
        self._cache[digest] = (principal, now + self.cache_s)
        return principal
