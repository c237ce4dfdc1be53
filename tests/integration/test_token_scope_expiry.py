"""Tokens that expire and tokens scoped to traders, as the gateway's verifier sees them."""

from __future__ import annotations

import asyncio

import pytest

from tradestack.auth import tokens
from tradestack.auth.roles import Role
from tradestack.errors import ConfigError
from tradestack.storage.database import Database


async def test_expired_token_is_refused_even_from_the_cache(database: Database) -> None:
    _info, secret = await tokens.create_token(
        database, name="brief", role=Role.ADMIN, expires_in_s=1
    )
    verifier = tokens.TokenVerifier(database, cache_s=60)
    assert await verifier.verify(secret) is not None
    await asyncio.sleep(1.1)
    assert await verifier.verify(secret) is None


async def test_scoped_token_carries_its_traders(database: Database) -> None:
    info, secret = await tokens.create_token(
        database, name="desk", role=Role.TRADER, trader_ids=("alpha", "beta", "alpha")
    )
    assert info.trader_ids == ("alpha", "beta")
    principal = await tokens.TokenVerifier(database).verify(secret)
    assert principal is not None and principal.trader_ids == {"alpha", "beta"}
    assert principal.may_see("alpha") and not principal.may_see("default")
    listed = {t.name: t for t in await tokens.list_tokens(database)}
    assert listed["desk"].trader_ids == ("alpha", "beta") and listed["desk"].expires_at is None


@pytest.mark.parametrize("text, seconds", [("90s", 90), ("15m", 900), ("1h", 3600), ("7d", 604800)])
def test_durations_parse(text: str, seconds: int) -> None:
    assert tokens.parse_duration_s(text) == seconds


@pytest.mark.parametrize("text", ["", "0h", "1y", "-1h", "h"])
def test_bad_durations_are_one_clear_error(text: str) -> None:
    with pytest.raises(ConfigError, match="duration"):
        tokens.parse_duration_s(text)
