"""The WebSocket protocol: what clients may send, and the frames the gateway answers with.

Client -> gateway (JSON text frames)::

    {"action": "subscribe",   "symbols": ["BTC/USDT"], "channels": ["bars", "orders"], "id": 1}
    {"action": "unsubscribe", "symbols": ["BTC/USDT"], "channels": ["bars"]}
    {"action": "auth", "token": "ts_..."}
    {"action": "ping"}

Gateway -> client: ``welcome`` on connect, ``ack`` per accepted request,
``pong``, ``error`` (the connection stays up), ``bar`` / ``event`` data
frames, and ``dropped`` when messages were dropped for a slow reader.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import msgspec

from tradestack.domain.events import EventType
from tradestack.domain.timeframes import symbol_from_path

CHANNELS: dict[str, str] = {
    "bars": EventType.MARKET_BAR,
    "signals": "signal.*",
    "orders": "order.*",
    "positions": "position.*",
    "alerts": "alert.*",
}
PRIVATE = frozenset({"signals", "orders", "positions"})
"""Channels that need a token: they show what traders do."""
ACTIONS = ("subscribe", "unsubscribe", "auth", "ping")
ALL_SYMBOLS = "*"
MAX_MESSAGE_BYTES = 16_384
MAX_SYMBOLS = 100

_encoder = msgspec.json.Encoder(decimal_format="string")


class ProtocolError(Exception):
    """A client message the gateway cannot act on; answered with an error frame."""

    def __init__(self, code: str, message: str, request_id: Any = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.request_id = request_id


@dataclass(frozen=True, slots=True)
class Request:
    action: str
    request_id: Any = None
    symbols: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    token: str | None = None
    pairs: list[tuple[str, str]] = field(default_factory=list)


def encode(message: Any) -> str:
    """Encode one outgoing frame; Structs, Decimals and datetimes are encoded natively."""
    return _encoder.encode(message).decode()


def parse(text: str | bytes) -> Request:
    """Turn one client frame into a Request; raise ProtocolError saying what is wrong."""
    if len(text) > MAX_MESSAGE_BYTES:
        raise ProtocolError(
            "message_too_large", f"messages are limited to {MAX_MESSAGE_BYTES} bytes"
        )
    try:
        data = msgspec.json.decode(text)
    except msgspec.DecodeError as error:
        raise ProtocolError("invalid_json", f"not valid JSON: {error}") from None
    return from_data(data)


def from_data(data: Any) -> Request:
    """Check a decoded message; raise ProtocolError saying what is wrong."""
    if not isinstance(data, dict):
        raise ProtocolError("invalid_message", "a message must be a JSON object with an 'action'")
    request_id = data.get("id")
    if request_id is not None and not isinstance(request_id, str | int):
        raise ProtocolError("invalid_message", "'id' must be a string or an integer")
    action = data.get("action")
    if action not in ACTIONS:
        raise ProtocolError(
            "unknown_action",
            f"'action' must be one of {', '.join(ACTIONS)}; got {action!r}",
            request_id,
        )
    if action == "ping":
        return Request(action, request_id)
    if action == "auth":
        token = data.get("token")
        if not isinstance(token, str) or not token:
            raise ProtocolError("invalid_message", "'token' must be a non-empty string", request_id)
        return Request(action, request_id, token=token)
    symbols = _symbols(data.get("symbols", [ALL_SYMBOLS]), request_id)
    channels = _channels(data.get("channels", ["bars"]), request_id)
    pairs = [(channel, symbol) for channel in channels for symbol in symbols]
    return Request(action, request_id, symbols=symbols, channels=channels, pairs=pairs)


def _symbols(value: Any, request_id: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if (
        not isinstance(value, list)
        or not value
        or len(value) > MAX_SYMBOLS
        or not all(isinstance(s, str) and 0 < len(s) <= 64 for s in value)
    ):
        raise ProtocolError(
            "invalid_message",
            f'\'symbols\' must be a list of 1 to {MAX_SYMBOLS} symbols such as "BTC/USDT" (or "*")',
            request_id,
        )
    return tuple(dict.fromkeys(symbol_from_path(s.strip()) for s in value))


def _channels(value: Any, request_id: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        raise ProtocolError(
            "invalid_message", f"'channels' must be a list of {', '.join(CHANNELS)}", request_id
        )
    unknown = [c for c in value if c not in CHANNELS]
    if unknown:
        raise ProtocolError(
            "unknown_channel",
            f"unknown channel(s) {unknown!r}; channels are {', '.join(CHANNELS)}",
            request_id,
        )
    return tuple(dict.fromkeys(value))


def error_frame(error: ProtocolError) -> dict[str, Any]:
    return {"type": "error", "code": error.code, "message": error.message, "id": error.request_id}
