"""A minimal WebSocket client on a raw asyncio protocol, for load tests and slow-reader tests.

A general client library spends more time per frame than the gateway does, so
a hundred of them in one process would measure the client. This one parses
frame headers only, and reads a data frame's publish time (``"ts"``) only
when asked to. ``pause()`` stops reading from the socket altogether: a
client that never reads, as far as the server can tell.
"""

from __future__ import annotations

import asyncio
import base64
import os
import socket
import struct
import time
from datetime import datetime

_TS = b'"ts":"'


def _frame(payload: bytes, opcode: int = 0x1) -> bytes:
    """Encode one masked client frame (clients must mask, RFC 6455 5.3)."""
    mask = os.urandom(4)
    length = len(payload)
    if length < 126:
        header = struct.pack("!BB", 0x80 | opcode, 0x80 | length)
    elif length < 1 << 16:
        header = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, length)
    else:
        header = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, length)
    masked = bytes(byte ^ mask[i % 4] for i, byte in enumerate(payload))
    return header + mask + masked


def published_at(payload: bytes) -> float | None:
    """Return the epoch seconds of a data frame's ``ts`` (its publish time), if it has one."""
    start = payload.find(_TS)
    if start < 0:
        return None
    start += len(_TS)
    end = payload.find(b'"', start)
    return datetime.fromisoformat(payload[start:end].decode()).timestamp()


class RawWebSocket(asyncio.Protocol):
    """Counts data frames; keeps the last few text payloads and optional latency samples."""

    def __init__(self, *, sample_every: int = 0, keep: int = 8) -> None:
        self.transport: asyncio.Transport | None = None
        self.opened: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.messages = 0
        self.bytes = 0
        self.latencies_s: list[float] = []
        self.recent: list[bytes] = []
        self.close_code: int | None = None
        self.close_reason = ""
        self.sample_every = sample_every
        self._keep = keep
        self._buffer = bytearray()
        self._handshake_done = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        if not self._handshake_done:
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            status = bytes(self._buffer[: self._buffer.find(b"\r\n")])
            if b" 101 " not in status:
                self.opened.set_exception(ConnectionError(status.decode(errors="replace")))
                return
            self.headers = bytes(self._buffer[:end]).decode(errors="replace")
            del self._buffer[: end + 4]
            self._handshake_done = True
            self.opened.set_result(None)
        self._parse()

    def _parse(self) -> None:
        buffer = self._buffer
        position = 0
        size = len(buffer)
        while size - position >= 2:
            first, second = buffer[position], buffer[position + 1]
            length = second & 0x7F
            header = 2
            if length == 126:
                if size - position < 4:
                    break
                length = struct.unpack_from("!H", buffer, position + 2)[0]
                header = 4
            elif length == 127:
                if size - position < 10:
                    break
                length = struct.unpack_from("!Q", buffer, position + 2)[0]
                header = 10
            if size - position < header + length:
                break
            opcode = first & 0x0F
            start = position + header
            position = start + length
            if opcode == 0x1 or opcode == 0x2:
                self.messages += 1
                self.bytes += length
                if self.sample_every and self.messages % self.sample_every == 0:
                    sent = published_at(bytes(buffer[start:position]))
                    if sent is not None:
                        self.latencies_s.append(time.time() - sent)
                if self._keep:
                    self.recent.append(bytes(buffer[start:position]))
                    if len(self.recent) > self._keep:
                        del self.recent[0]
            elif opcode == 0x9 and self.transport is not None:  # ping: answer like any client
                self.transport.write(_frame(bytes(buffer[start:position]), opcode=0xA))
            elif opcode == 0x8:
                body = bytes(buffer[start:position])
                self.close_code = struct.unpack("!H", body[:2])[0] if len(body) >= 2 else 1005
                self.close_reason = body[2:].decode(errors="replace")
                if self.transport is not None:
                    self.transport.write(_frame(body[:2], opcode=0x8))
                    self.transport.close()
        del buffer[:position]

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.opened.done():
            self.opened.set_exception(exc or ConnectionError("closed before the handshake"))
        if not self.closed.done():
            self.closed.set_result(None)

    def send_text(self, text: str) -> None:
        assert self.transport is not None
        self.transport.write(_frame(text.encode()))

    def pause(self) -> None:
        """Stop reading: the server sees a client that never reads."""
        assert self.transport is not None
        self.transport.pause_reading()


async def connect(
    host: str,
    port: int,
    path: str,
    *,
    sample_every: int = 0,
    keep: int = 8,
    receive_buffer: int | None = None,
) -> RawWebSocket:
    """Open a WebSocket; a small ``receive_buffer`` makes a paused reader back up sooner."""
    loop = asyncio.get_running_loop()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if receive_buffer is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    sock.setblocking(False)
    await loop.sock_connect(sock, (host, port))
    _transport, protocol = await loop.create_connection(
        lambda: RawWebSocket(sample_every=sample_every, keep=keep), sock=sock
    )
    key = base64.b64encode(os.urandom(16)).decode()
    request = (
        f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    assert protocol.transport is not None
    protocol.transport.write(request.encode())
    await asyncio.wait_for(protocol.opened, 10)
    return protocol
