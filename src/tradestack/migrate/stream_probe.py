"""The WebSocket line of ``migrate check``: open ``/ws/v1/stream``, subscribe, receive one bar.

A real client (the ``websockets`` library that uvicorn's standard extra brings)
speaks the same protocol as the dashboard, so a pass means a browser would get
live bars too. Every failure is one line naming the URL and what went wrong.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

from websockets.asyncio.client import connect
from websockets.exceptions import InvalidHandshake, InvalidURI, WebSocketException

STREAM_PATH = "/ws/v1/stream"


@dataclass(frozen=True, slots=True)
class StreamProbe:
    ok: bool
    detail: str


async def probe_stream(
    host: str, port: int, *, token: str | None = None, timeout_s: float = 15.0
) -> StreamProbe:
    """Subscribe to the bars of every symbol and wait up to ``timeout_s`` for the first one."""
    url = f"ws://{host}:{port}{STREAM_PATH}"
    headers = {"Authorization": f"Bearer {token}"} if token else None
    try:
        async with asyncio.timeout(timeout_s):
            return await _first_bar(url, headers)
    except TimeoutError:
        return StreamProbe(False, f"{url}: no bar within {timeout_s:g} s (is anything trading?)")
    except (OSError, InvalidHandshake, InvalidURI, WebSocketException) as error:
        return StreamProbe(False, f"{url}: {type(error).__name__}: {error}")


async def _first_bar(url: str, headers: dict[str, str] | None) -> StreamProbe:
    async with connect(url, additional_headers=headers, open_timeout=5.0) as websocket:
        request = {"action": "subscribe", "symbols": ["*"], "channels": ["bars"], "id": 1}
        await websocket.send(json.dumps(request))
        async for text in websocket:
            frame: dict[str, Any] = json.loads(text)
            if frame.get("type") == "error":
                return StreamProbe(False, f"{url}: {frame.get('code')}: {frame.get('message')}")
            if frame.get("type") == "bar":
                data = frame.get("data") or {}
                when = data.get("ts") or frame.get("ts")
                return StreamProbe(
                    True, f"{url}: subscribed, received a bar of {frame.get('symbol')} at {when}"
                )
    return StreamProbe(False, f"{url}: closed before any bar arrived")
