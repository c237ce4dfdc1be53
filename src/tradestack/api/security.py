"""Authentication and authorisation for HTTP routes and WebSockets.

A request carries ``Authorization: Bearer <token>``. Without one, a request
from a loopback address may read (``TRADESTACK_API__ANONYMOUS_READ=loopback``,
the default) so that ``tradestack run`` on a laptop needs no set-up; anything
that changes state always needs a token of a strong enough role. A header
that is present but wrong is always a 401, wherever it comes from. Each token
has its own rate limit. A token scoped to some traders sees and acts on those
traders only: another trader named in a path is a 404, in a query a 403, and a
route that lists every trader's records needs ``trader_id`` from such a token.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from tradestack.api.errors import Forbidden, RateLimited, Unauthorized
from tradestack.auth.rate_limit import RateLimiter
from tradestack.auth.roles import ANONYMOUS, Principal, Role
from tradestack.auth.tokens import TokenVerifier
from tradestack.config.settings import Settings
from tradestack.errors import ConfigError, NotFoundError
from tradestack.storage.database import Database

_LOOPBACK = {"127.0.0.1", "::1", "localhost"}
_ANONYMOUS_VIEWER = Principal(name=ANONYMOUS, role=Role.VIEWER)

bearer = HTTPBearer(
    auto_error=False,
    description="A token from `tradestack token create --role viewer|trader|admin --name NAME`.",
)


def is_loopback(host: str | None) -> bool:
    return host is not None and (host in _LOOPBACK or host.startswith("127."))


class Gate:
    """Everything the API needs to decide who a caller is and whether to let them in."""

    def __init__(
        self, verifier: TokenVerifier, limiter: RateLimiter, *, anonymous_read: str
    ) -> None:
        self.verifier = verifier
        self.limiter = limiter
        self.anonymous_read = anonymous_read

    @classmethod
    def from_settings(cls, settings: Settings, db: Database) -> Gate:
        api = settings.api
        bootstrap = settings.api_token.get_secret_value() if settings.api_token else None
        return cls(
            TokenVerifier(db, bootstrap_token=bootstrap, cache_s=api.token_cache_s),
            RateLimiter(rate_per_s=api.rate_limit_per_s, burst=api.rate_limit_burst),
            anonymous_read=api.anonymous_read,
        )

    async def identify(self, token: str | None, client_host: str | None) -> Principal | None:
        """Return who presents ``token`` (None: nobody), raising Unauthorized for a bad token."""
        if token is None:
            if self.anonymous_read == "loopback" and is_loopback(client_host):
                return _ANONYMOUS_VIEWER
            return None
        principal = await self.verifier.verify(token)
        if principal is None:
            raise Unauthorized("unknown, revoked or expired token")
        return principal

    def check_rate(self, principal: Principal) -> None:
        """Spend one request of the token's budget; anonymous loopback reads are not limited."""
        if principal.anonymous:
            return
        wait_s = self.limiter.acquire(principal.token_id or principal.name)
        if wait_s > 0:
            retry = max(1, math.ceil(wait_s))
            raise RateLimited(
                f"rate limit of {self.limiter.rate_per_s:g} requests/s exceeded",
                headers={"Retry-After": str(retry)},
            )


def get_gate(request: Request) -> Gate:
    gate: Gate = request.app.state.gate
    return gate


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal | None:
    """Who calls: a token's holder, the anonymous loopback reader, or None."""
    if credentials is None and "authorization" in request.headers:
        raise Unauthorized("the Authorization header must be 'Bearer <token>'")
    client = request.client.host if request.client else None
    gate = get_gate(request)
    principal = await gate.identify(credentials.credentials if credentials else None, client)
    if principal is not None:
        gate.check_rate(principal)
    return principal


def check_trader(principal: Principal | None, trader_id: str) -> None:
    """Refuse a scoped caller access to a trader outside its scope, as if it did not exist."""
    if principal is not None and not principal.may_see(trader_id):
        raise NotFoundError(f"no trader named {trader_id!r}")


def _takes_trader_query(request: Request) -> bool:
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    return dependant is not None and any(
        param.alias == "trader_id" for param in dependant.query_params
    )


async def enforce_trader_scope(
    request: Request, principal: Annotated[Principal | None, Depends(current_principal)]
) -> None:
    """Keep a token scoped to some traders inside them on every route that names a trader."""
    if principal is None or not principal.scoped:
        return
    path_trader = request.path_params.get("trader_id")
    if path_trader is not None:
        check_trader(principal, path_trader)
    query_trader = request.query_params.get("trader_id")
    scope = ", ".join(sorted(principal.trader_ids))
    if query_trader is not None and not principal.may_see(query_trader):
        raise Forbidden(f"this token is limited to traders {scope}")
    if query_trader is None and _takes_trader_query(request):
        raise Forbidden(f"this token is limited to traders {scope}: pass trader_id")


def check_exposure(settings: Settings) -> None:
    """Refuse to serve anonymous reads on a non-loopback address unless explicitly allowed.

    Behind a reverse proxy on the same machine every caller looks like loopback,
    so anonymous reads on an exposed address would let anyone read.

    Raises
    ------
    ConfigError
        ``api_host`` is not loopback, anonymous reads are on, and
        ``TRADESTACK_API__ALLOW_ANONYMOUS_REMOTE`` is not true.
    """
    api = settings.api
    if is_loopback(settings.api_host) or api.anonymous_read == "off":
        return
    if api.allow_anonymous_remote:
        return
    raise ConfigError(
        f"refusing to serve the API on {settings.api_host} with anonymous reads on: set "
        "TRADESTACK_API__ANONYMOUS_READ=off, or TRADESTACK_API__ALLOW_ANONYMOUS_REMOTE=true"
    )


def require(role: Role) -> Callable[..., Coroutine[Any, Any, Principal]]:
    """Build a dependency that lets in callers of ``role`` or stronger."""

    async def dependency(
        principal: Annotated[Principal | None, Depends(current_principal)],
    ) -> Principal:
        if principal is None:
            raise Unauthorized(f"this route needs a bearer token (role {role.label} or above)")
        if principal.anonymous and role > Role.VIEWER:
            raise Unauthorized(f"changes need a bearer token (role {role.label} or above)")
        if not principal.may(role):
            raise Forbidden(
                f"role {principal.role.label} may not do this; it needs {role.label} or above"
            )
        return principal

    dependency.__name__ = f"require_{role.label}"
    return dependency


async def require_token(
    principal: Annotated[Principal | None, Depends(current_principal)],
) -> Principal:
    """Let in any token holder, never the anonymous reader: the route acts for someone."""
    if principal is None or principal.anonymous:
        raise Unauthorized("this route needs a bearer token (any role)")
    return principal


require_viewer = require(Role.VIEWER)
require_trader = require(Role.TRADER)
require_admin = require(Role.ADMIN)

ViewerDep = Annotated[Principal, Depends(require_viewer)]
TraderDep = Annotated[Principal, Depends(require_trader)]
AdminDep = Annotated[Principal, Depends(require_admin)]
TokenDep = Annotated[Principal, Depends(require_token)]
