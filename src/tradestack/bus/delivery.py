"""Delivery rules shared by every adapter: the retry policy, patterns, back-off, RPC envelopes.

The engine that applies the retry policy to every adapter's events is
``bus.group_consumer``; this module holds the small pieces it and the
adapters share.
"""

from __future__ import annotations

import asyncio
import fnmatch
import logging
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import msgspec

from tradestack.bus.port import DeadLetter, RequestHandler

log = logging.getLogger(__name__)

_GLOB_CHARS = frozenset("*?[")
# Groups of subscriptions made without a group name: private to one bus instance,
# dropped when it closes, never migrated.
ANONYMOUS_PREFIX = "_anonymous_"


def is_glob(pattern: str) -> bool:
    return any(char in _GLOB_CHARS for char in pattern)


@lru_cache(maxsize=4096)
def matches(pattern: str, event_type: str) -> bool:
    """Return whether ``event_type`` matches ``pattern`` (fnmatch: ``*`` also spans dots)."""
    return fnmatch.fnmatchcase(event_type, pattern)


def describe_error(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how patiently a failing handler is retried.

    ``max_deliver`` counts every delivery, the first included; the wait before
    delivery ``n + 1`` is ``backoff_s * 2 ** (n - 1)``, capped at ``max_backoff_s``.
    """

    max_deliver: int = 5
    backoff_s: float = 0.05
    max_backoff_s: float = 2.0

    def delay_s(self, deliveries: int) -> float:
        return min(self.backoff_s * 2 ** max(deliveries - 1, 0), self.max_backoff_s)


class Backoff:
    """Exponential back-off for reconnect loops: 50 ms doubling up to ``max_s``."""

    def __init__(self, max_s: float, first_s: float = 0.05) -> None:
        self.max_s = max_s
        self.first_s = first_s
        self._next = first_s

    def reset(self) -> None:
        self._next = self.first_s

    async def wait(self) -> None:
        await asyncio.sleep(self._next)
        self._next = min(self._next * 2, self.max_s)


class RpcRequest(msgspec.Struct, frozen=True, kw_only=True):
    """A call on the wire; ``deadline_ms`` (epoch) lets servers drop requests nobody awaits."""

    command: str
    params: dict[str, Any]
    request_id: str = ""
    reply_to: str = ""
    deadline_ms: int = 0


class RpcReply(msgspec.Struct, frozen=True, kw_only=True):
    request_id: str = ""
    result: dict[str, Any] | None = None
    error: str | None = None


def deadline_ms(timeout_s: float) -> int:
    return int((time.time() + timeout_s) * 1000)


_rpc_request_encoder = msgspec.json.Encoder(decimal_format="string")
_rpc_request_decoder = msgspec.json.Decoder(RpcRequest)
_rpc_reply_decoder = msgspec.json.Decoder(RpcReply)
_dead_letter_decoder = msgspec.json.Decoder(DeadLetter)


def encode_rpc(message: RpcRequest | RpcReply | DeadLetter) -> bytes:
    return _rpc_request_encoder.encode(message)


def decode_rpc_request(data: bytes) -> RpcRequest:
    return _rpc_request_decoder.decode(data)


def decode_rpc_reply(data: bytes) -> RpcReply:
    return _rpc_reply_decoder.decode(data)


def decode_dead_letter(data: bytes) -> DeadLetter:
    return _dead_letter_decoder.decode(data)


async def answer(handler: RequestHandler, request: RpcRequest, service: str) -> RpcReply:
    """Run an RPC handler and turn its result or its error into a reply."""
    try:
        result = await handler(request.params)
    except Exception as error:
        log.info("%s.%s failed: %s", service, request.command, describe_error(error))
        return RpcReply(request_id=request.request_id, error=describe_error(error))
    return RpcReply(request_id=request.request_id, result=result)
