"""Order commands over the bus: how the services shape's gateway places and cancels orders.

The exec-risk service owns every trader's order manager and venue, so the
gateway asks it by RPC. Errors a user can cause travel back by name and are
raised again as the same exception, so the API answers exactly as in the
all-in-one shape (404, 409, 400).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import msgspec

from tradestack.bus.codec import to_builtins
from tradestack.domain.commands import SubmitOrder
from tradestack.domain.orders import Order
from tradestack.errors import ConfigError, ConflictError, NotFoundError, TradestackError

_ERRORS: dict[str, type[TradestackError]] = {
    "not_found": NotFoundError,
    "conflict": ConflictError,
    "invalid": ConfigError,
}
_KINDS = {cls: kind for kind, cls in _ERRORS.items()}


def encode_command(command: SubmitOrder) -> dict[str, Any]:
    return {"command": to_builtins(command)}


def decode_command(params: dict[str, Any]) -> SubmitOrder:
    return msgspec.convert(params["command"], SubmitOrder, strict=False)


async def answer(action: Callable[[], Awaitable[Order]]) -> dict[str, Any]:
    """Run an order command; reply with the order, or with the error a user caused."""
    try:
        order = await action()
    except TradestackError as error:
        kind = next((k for cls, k in _KINDS.items() if isinstance(error, cls)), "invalid")
        return {"error": {"kind": kind, "message": str(error)}}
    except ValueError as error:
        return {"error": {"kind": "invalid", "message": str(error)}}
    return {"order": to_builtins(order)}


def order_from_reply(reply: dict[str, Any]) -> Order:
    """Return the order in an exec-risk reply, or raise the error it names."""
    error = reply.get("error")
    if error:
        raise _ERRORS.get(str(error.get("kind")), ConfigError)(str(error.get("message")))
    return msgspec.convert(reply["order"], Order, strict=False)
