"""The one wire codec for events (msgspec JSON), shared by every broker adapter."""

from __future__ import annotations

import msgspec

from tradestack.domain.events import Event

_encoder = msgspec.json.Encoder(decimal_format="string")
_decoder = msgspec.json.Decoder(Event)


def encode_event(event: Event) -> bytes:
    return _encoder.encode(event)


def decode_event(data: bytes | str) -> Event:
    return _decoder.decode(data)


def to_builtins(value: object) -> object:
    """Turn structs, Decimals and datetimes into JSON-ready builtins for event payloads."""
    return msgspec.to_builtins(value, builtin_types=None, str_keys=True)
