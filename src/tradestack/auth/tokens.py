"""Issue, list, revoke and verify API tokens.

A token is ``ts_`` plus 43 random URL-safe characters (256 bits). Only its
SHA-256 is stored: with that much entropy a fast hash is enough, and a stolen
database yields no usable token. A token may expire, and may be scoped to some
traders: it then sees and acts on those traders only. The gateway trusts a verified token for
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
from datetime import UTC, datetime, timedelta

from tradestack.auth.roles import Principal, Role
from tradestack.errors import ConfigError, NotFoundError
from tradestack.storage.database import Database
from tradestack.storage.repositories import tokens as repository

PREFIX = "ts_"
_NAME = re.compile(r"^[A-Za-z0-9._@-]{1,64}$")
_CACHE_LIMIT = 10_000
_TRADER_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800}


def parse_duration_s(text: str) -> int:
    """Return the seconds in ``text`` such as ``90s``, ``15m``, ``1h``, ``7d`` or ``2w``.

    Raises
    ------
    ConfigError
        The text is not a positive whole number followed by one of s, m, h, d, w.
    """
    match = _DURATION.match(text)
    if match is None or int(match.group(1)) <= 0:
        raise ConfigError(f"duration {text!r} must be a positive number and s, m, h, d or w")
    return int(match.group(1)) * _UNIT_S[match.group(2)]


@dataclass(frozen=True, slots=True)
class TokenInfo:
    token_id: str
    name: str
    role: Role
    created_at: datetime
    revoked_at: datetime | None = None
    expires_at: datetime | None = None
    trader_ids: tuple[str, ...] = ()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _scope_text(trader_ids: tuple[str, ...]) -> str | None:
    return ",".join(trader_ids) if trader_ids else None


def _scope(text: object) -> tuple[str, ...]:
    return tuple(part for part in str(text).split(",") if part) if text else ()


async def create_token(
    db: Database,
    *,
    name: str,
    role: Role,
    expires_in_s: int | None = None,
    trader_ids: tuple[str, ...] = (),
) -> tuple[TokenInfo, str]:
    """Store a new token and return it with its secret, which is never readable again.

    ``expires_in_s`` (None: never) bounds its life; ``trader_ids`` (empty: all)
    limits it to those traders.

    Raises
    ------
    ConfigError
        The name is empty, too long or has characters other than letters,
        digits and ``. _ @ -``; a trader id is not a valid trader name.
    """
    if not _NAME.match(name):
        raise ConfigError(f"token name {name!r} must be 1-64 letters, digits or '.', '_', '@', '-'")
    for trader_id in trader_ids:
        if not _TRADER_ID.match(trader_id):
            raise ConfigError(f"--trader {trader_id!r} is not a trader name")
    secret = PREFIX + secrets.token_urlsafe(32)
    created = datetime.now(UTC)
    info = TokenInfo(
        token_id=secrets.token_hex(4),
        name=name,
        role=role,
        created_at=created,
        expires_at=created + timedelta(seconds=expires_in_s) if expires_in_s else None,
        trader_ids=tuple(dict.fromkeys(trader_ids)),
    )
    async with db.transaction() as connection:
        await repository.insert_token(
            connection,
            token_id=info.token_id,
            name=info.name,
            role=info.role.label,
            token_hash=hash_token(secret),
            created_at=info.created_at,
            expires_at=info.expires_at,
            trader_ids=_scope_text(info.trader_ids),
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
            expires_at=row["expires_at"],  # type: ignore[arg-type]
            trader_ids=_scope(row["trader_ids"]),
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
    """Turn a presented token into a Principal, or None when it is unknown, revoked or expired."""

    def __init__(
        self, db: Database, *, bootstrap_token: str | None = None, cache_s: float = 5.0
    ) -> None:
        self.db = db
        self.cache_s = cache_s
        self._bootstrap_hash = hash_token(bootstrap_token) if bootstrap_token else None
        self._cache: dict[str, tuple[Principal | None, float, datetime | None]] = {}

    async def verify(self, token: str) -> Principal | None:
        digest = hash_token(token)
        if self._bootstrap_hash is not None and hmac.compare_digest(digest, self._bootstrap_hash):
            return Principal(name="bootstrap", role=Role.ADMIN)
        now = time.monotonic()
        cached = self._cache.get(digest)
        if cached is not None and cached[1] > now:
            return _unexpired(cached[0], cached[2])
        async with self.db.read() as connection:
            row = await repository.find_by_hash(connection, digest)
        principal = None
        expires_at: datetime | None = None
        if row is not None:
            expires_at = row["expires_at"]  # type: ignore[assignment]
            principal = Principal(
                name=str(row["name"]),
                role=Role.parse(str(row["role"])),
                token_id=str(row["token_id"]),
                trader_ids=frozenset(_scope(row["trader_ids"])),
            )
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()  # bounded: guessed tokens must not grow memory
        self._cache[digest] = (principal, now + self.cache_s, expires_at)
        return _unexpired(principal, expires_at)


def _unexpired(principal: Principal | None, expires_at: datetime | None) -> Principal | None:
    if expires_at is not None and datetime.now(UTC) >= expires_at:
        return None
    return principal
