"""Translate ccxt's exceptions into tradestack's, at the adapter's edge and nowhere else.

The classification decides what the executor may do next: a refusal is final,
an unavailable venue may be retried (reads) or must be asked about (submits).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import ccxt.async_support as ccxt

from tradestack.errors import (
    DuplicateClientOrderIdError,
    OrderRejectedError,
    VenueAuthenticationError,
    VenueError,
    VenueRateLimitedError,
    VenueUnavailableError,
)

_QUERY = re.compile(r"\?\S*")
_REFUSALS = (
    ccxt.InvalidOrder,
    ccxt.BadRequest,
    ccxt.OperationRejected,
    ccxt.NotSupported,
    ccxt.ArgumentsRequired,
)


def describe(error: BaseException, limit: int = 300) -> str:
    """Return the error's message without URL query strings (they carry signatures)."""
    text = _QUERY.sub("", str(error)).strip() or type(error).__name__
    return text[:limit]


def translate(error: ccxt.BaseError) -> VenueError:
    """Map one ccxt exception to ours; most specific classes first."""
    message = describe(error)
    if isinstance(error, ccxt.InsufficientFunds):
        return OrderRejectedError(f"insufficient funds: {message}", insufficient_funds=True)
    if isinstance(error, ccxt.DuplicateOrderId) or (
        isinstance(error, ccxt.InvalidOrder) and "duplicate" in message.lower()
    ):
        return DuplicateClientOrderIdError(message)
    if isinstance(error, ccxt.AuthenticationError):
        return VenueAuthenticationError(message)
    if isinstance(error, ccxt.RateLimitExceeded | ccxt.DDoSProtection):
        return VenueRateLimitedError(message)
    if isinstance(error, ccxt.NetworkError | ccxt.BadResponse):
        return VenueUnavailableError(f"{type(error).__name__}: {message}")
    if isinstance(error, _REFUSALS):
        return OrderRejectedError(message)
    return VenueError(message)


@contextmanager
def translated() -> Iterator[None]:
    """Re-raise any ccxt exception raised inside the block as ours."""
    try:
        yield
    except ccxt.BaseError as error:
        raise translate(error) from None
