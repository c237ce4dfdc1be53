"""WebSocket endpoints: ``/ws/v1/stream`` and the older ``/ws`` and ``/ws/market-data``.

A token may come in the ``Authorization: Bearer`` header, a ``token`` query
parameter, or later in an ``auth`` message (browsers cannot set headers on a
WebSocket). ``?symbols=BTC/USDT&channels=bars`` subscribes on connect; the
older ``/ws/market-data`` subscribes to every symbol's bars by default.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from fastapi import APIRouter, WebSocket
from starlette.websockets import WebSocketDisconnect

from tradestack import __version__
from tradestack.api.security import Gate, is_loopback
from tradestack.api.stream.hub import StreamClient, StreamHub
from tradestack.api.stream.protocol import (
    CHANNELS,
    PRIVATE,
    ProtocolError,
    Request,
    error_frame,
    from_data,
    parse,
)
from tradestack.auth.roles import Principal

log = logging.getLogger(__name__)
router = APIRouter()
INVALID_TOKEN_CLOSE_CODE = 4401
CLOSE_GRACE_S = 5.0


class _Session:
    """One connection: who it is, what it may read, and how requests change its subscriptions."""

    def __init__(self, websocket: WebSocket, hub: StreamHub, gate: Gate) -> None:
        self.websocket = websocket
        self.hub = hub
        self.gate = gate
        self.client: StreamClient = hub.new_client(None)

    @property
    def principal(self) -> Principal | None:
        return self.client.principal

    def may_read_public(self) -> bool:
        if self.principal is not None:
            return True
        host = self.websocket.client.host if self.websocket.client else None
        return self.gate.anonymous_read == "loopback" and is_loopback(host)

    def handle(self, request: Request) -> None:
        """Answer a ping or change subscriptions (``auth`` is awaited in ``read``)."""
        if request.action == "ping":
            self.client.reply({"type": "pong", "id": request.request_id})
        else:
            self._change(request)

    def _change(self, request: Request) -> None:
        if request.action == "subscribe":
            private = sorted(set(request.channels) & PRIVATE)
            if private and self.principal is None:
                raise ProtocolError(
                    "unauthorized",
                    f"channel(s) {', '.join(private)} need a token: send "
                    '{"action": "auth", "token": "..."} first',
                    request.request_id,
                )
            if not self.may_read_public():
                raise ProtocolError("unauthorized", "a token is required", request.request_id)
            for pair in request.pairs:
                self.hub.subscribe(self.client, *pair)
        else:
            for pair in request.pairs:
                self.hub.unsubscribe(self.client, *pair)
        self.client.reply(
            {
                "type": "ack",
                "action": request.action,
                "id": request.request_id,
                "symbols": list(request.symbols),
                "channels": list(request.channels),
                "subscriptions": sorted(
                    f"{channel}:{symbol}" for channel, symbol in self.client.subscriptions
                ),
            }
        )

    async def authenticate(
        self, token: str, request_id: object = None, *, ack: bool = True
    ) -> bool:
        principal = await self.gate.verifier.verify(token)
        if principal is None:
            self.client.reply(
                {
                    "type": "error",
                    "code": "unauthorized",
                    "message": "unknown or revoked token",
                    "id": request_id,
                }
            )
            return False
        self.client.principal = principal
        if ack:
            self.client.reply(
                {"type": "ack", "action": "auth", "id": request_id, "role": principal.role.label}
            )
        return True

    async def read(self) -> None:
        """Answer client messages until it disconnects; a bad message never ends the session."""
        while True:
            message = await self.websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
            text = message.get("text")
            if text is None:
                text = (message.get("bytes") or b"").decode("utf-8", "replace")
            try:
                request = parse(text)
                if request.action == "auth":
                    await self.authenticate(request.token or "", request.request_id)
                else:
                    self.handle(request)
            except ProtocolError as error:
                self.client.reply(error_frame(error))


def _presented_token(websocket: WebSocket) -> str | None:
    header = websocket.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return websocket.query_params.get("token") or None


def _initial_request(websocket: WebSocket, market_data_default: bool) -> Request | None:
    """A subscription given in the query string (``symbols``, ``channels``, comma-separated)."""
    params = websocket.query_params
    symbols = [s for s in params.get("symbols", "").split(",") if s]
    channels = [c for c in params.get("channels", "").split(",") if c]
    if not symbols and not channels and not market_data_default:
        return None
    return from_data(
        {"action": "subscribe", "symbols": symbols or ["*"], "channels": channels or ["bars"]}
    )


async def serve_stream(websocket: WebSocket, *, market_data_default: bool = False) -> None:
    """Run one WebSocket session: authenticate, subscribe, then pump and read until either ends."""
    hub: StreamHub = websocket.app.state.hub
    gate: Gate = websocket.app.state.gate
    await websocket.accept()
    session = _Session(websocket, hub, gate)
    client = session.client
    try:
        token = _presented_token(websocket)
        if token is not None and not await session.authenticate(token, ack=False):
            with contextlib.suppress(Exception):
                await websocket.send_text(client.queue.popleft())
                await websocket.close(INVALID_TOKEN_CLOSE_CODE, "invalid token")
            return
        client.reply(
            {
                "type": "welcome",
                "version": __version__,
                "channels": list(CHANNELS),
                "private_channels": sorted(PRIVATE),
                "role": session.principal.role.label if session.principal else None,
            }
        )
        try:
            initial = _initial_request(websocket, market_data_default)
            if initial is not None:
                session.handle(initial)
        except ProtocolError as error:
            client.reply(error_frame(error))
        await _run(session)
    finally:
        hub.remove(client)


async def _run(session: _Session) -> None:
    client = session.client
    websocket = session.websocket
    pump = asyncio.create_task(client.pump(websocket.send_text))
    reader = asyncio.create_task(session.read())
    closing = asyncio.create_task(client.must_close.wait())
    tasks = {pump, reader, closing}
    try:
        done, _pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    for task in done:
        if not task.cancelled() and isinstance(task.exception(), Exception):
            error = task.exception()
            if not isinstance(error, WebSocketDisconnect | OSError | RuntimeError):
                log.error("stream session failed: %s", error, exc_info=error)
    if client.close_reason is not None:
        # The close frame waits behind what the transport still buffers: a reader that
        # wakes up within the grace period gets the reason; one that never reads is cut off.
        with contextlib.suppress(Exception):
            await asyncio.wait_for(
                websocket.close(client.close_code, client.close_reason), CLOSE_GRACE_S
            )


@router.websocket("/ws/v1/stream")
async def stream(websocket: WebSocket) -> None:
    await serve_stream(websocket)


@router.websocket("/ws")
async def legacy_stream(websocket: WebSocket) -> None:
    await serve_stream(websocket)


@router.websocket("/ws/market-data")
async def legacy_market_data(websocket: WebSocket) -> None:
    await serve_stream(websocket, market_data_default=True)
