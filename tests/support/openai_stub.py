"""A small OpenAI-compatible HTTP server on 127.0.0.1: /v1/models and /v1/chat/completions.

The adapter talks to it over real sockets; its answers are chosen per test
(status codes, delays, tool calls) to exercise retries, translation and the
switch's probe.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

Chat = Callable[[dict[str, Any]], tuple[int, dict[str, Any]]]


def completion(content: str | None = "ready", tool_calls: list[dict[str, Any]] | None = None,
               model: str = "stub-model") -> dict[str, Any]:  # fmt: skip
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if tool_calls:
        message["tool_calls"] = tool_calls
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 12, "completion_tokens": 3, "total_tokens": 15},
    }


@dataclass
class OpenAIStub:
    models: list[str] = field(default_factory=lambda: ["stub-model"])
    chat: Chat = field(default=lambda _body: (200, completion()))
    requests: list[tuple[str, dict[str, str], dict[str, Any]]] = field(default_factory=list)
    url: str = ""

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1"


def _serve(stub: OpenAIStub) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def _reply(self, status: int, document: dict[str, Any]) -> None:
            body = json.dumps(document).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            stub.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}, {}))
            if self.path.endswith("/models"):
                data = [{"id": m, "object": "model", "owned_by": "stub"} for m in stub.models]
                self._reply(200, {"object": "list", "data": data})
            else:
                self._reply(404, {"error": {"message": "not found"}})

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            stub.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            status, document = stub.chat(body)
            self._reply(status, document)

        def log_message(self, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    stub.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return server


@pytest.fixture
def openai_stub() -> Iterator[OpenAIStub]:
    stub = OpenAIStub()
    server = _serve(stub)
    yield stub
    server.shutdown()
    server.server_close()
