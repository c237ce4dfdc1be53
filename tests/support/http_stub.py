"""A real HTTP server on 127.0.0.1 for tests: records requests, answers with a handler.

It stands in for the Telegram Bot API and for webhook receivers; it runs in a
thread so the code under test talks to it over real sockets.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def fields(self) -> dict[str, Any]:
        """Form fields (the Bot API's encoding), or the JSON body."""
        kind = self.headers.get("content-type", "")
        if kind.startswith("application/x-www-form-urlencoded"):
            return {k: v[0] for k, v in parse_qs(self.body.decode()).items()}
        return json.loads(self.body or b"{}")


Responder = Callable[[Request], tuple[int, dict[str, Any]]]


@dataclass
class StubServer:
    responder: Responder
    requests: list[Request] = field(default_factory=list)
    url: str = ""

    def calls(self, suffix: str) -> list[Request]:
        return [r for r in self.requests if r.path.endswith(suffix)]


def serve(responder: Responder) -> tuple[StubServer, ThreadingHTTPServer]:
    stub = StubServer(responder)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            request = Request(
                path=self.path,
                headers={k.lower(): v for k, v in self.headers.items()},
                body=self.rfile.read(length),
            )
            stub.requests.append(request)
            status, document = stub.responder(request)
            body = json.dumps(document).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    stub.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return stub, server


@pytest.fixture
def http_stub() -> Iterator[Callable[[Responder], StubServer]]:
    servers: list[ThreadingHTTPServer] = []

    def start(responder: Responder) -> StubServer:
        stub, server = serve(responder)
        servers.append(server)
        return stub

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


BOT = {"id": 4242, "is_bot": True, "first_name": "tradestack", "username": "tradestack_bot"}


def bot_api(request: Request) -> tuple[int, dict[str, Any]]:
    """Answer like the Telegram Bot API for the methods the project calls."""
    method = request.path.rsplit("/", 1)[-1]
    if method == "getMe":
        return 200, {"ok": True, "result": BOT}
    if method == "sendMessage":
        fields = request.fields
        chat_id = int(fields["chat_id"])
        message = {
            "message_id": len(request.path) + 1,
            "date": 1_700_000_000,
            "chat": {"id": chat_id, "type": "private"},
            "from": BOT,
            "text": fields["text"],
        }
        return 200, {"ok": True, "result": message}
    if method in ("deleteWebhook", "close", "logOut"):
        return 200, {"ok": True, "result": True}
    if method == "getUpdates":
        return 200, {"ok": True, "result": []}
    return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
