"""The one wire codec for events (msgspec JSON), shared by every broker adapter.

Typed stage messages (``domain.messages``) ride in an event's payload under
``message``; ``decode_event`` turns them back into the same Structs the
publisher made, so on every bus (memory included) a consumer reads
``message_of(event)`` and gets a ``BarsSettled`` or ``BarsEvaluated``.
"""

from __future__ import annotations

from typing import Any

import msgspec

from tradestack.domain.events import Event, EventType
from tradestack.domain.messages import BarsEvaluated, BarsSettled, Message

MESSAGE = "message"
_encoder = msgspec.json.Encoder(decimal_format="string")
_decoder = msgspec.json.Decoder(Event)
_EVENT_TYPES: dict[type, str] = {
    BarsSettled: EventType.BAR_SETTLED,
    BarsEvaluated: EventType.STRATEGY_EVALUATED,
}


def encode_event(event: Event) -> bytes:
    return _encoder.encode(event)


def decode_event(data: bytes | str) -> Event:
    event = _decoder.decode(data)
    message = event.payload.get(MESSAGE)
    if isinstance(message, dict):
        event.payload[MESSAGE] = msgspec.convert(message, Message, strict=False)
    return event


def message_event(message: Message, *, source_service: str, trace_id: str | None = None) -> Event:
    """Wrap a typed stage message in the envelope every bus, the audit table and the API know."""
    return Event.create(
        _EVENT_TYPES[type(message)],
        {MESSAGE: message},
        source_service=source_service,
        trace_id=trace_id,
    )


def message_of(event: Event) -> Any:
    """The typed message an event carries (the same Struct on every bus)."""
    return event.payload[MESSAGE]


def to_builtins(value: object) -> object:
    """Turn structs, Decimals and datetimes into JSON-ready builtins for event payloads."""
    return msgspec.to_builtins(value, builtin_types=None, str_keys=True)
