"""Older API paths, still served, each marked deprecated with a link to its v1 successor.

A legacy HTTP path is routed to its v1 route (same handler, same auth, same
answer) and the answer gets ``Deprecation: true`` and ``Link:
</api/v1/...>; rel="successor-version"``, errors included. The legacy
WebSocket paths are routes of their own and get the same headers on the
handshake. A legacy path whose v1 route does not exist in this build answers
404 until it does.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from starlette.types import ASGIApp, Message, Receive, Scope, Send

LEGACY_HTTP: tuple[tuple[str, str], ...] = (
    ("/api/health", "/api/v1/health"),
    ("/api/status", "/api/v1/system/status"),
    ("/api/latest/{symbol}", "/api/v1/latest/{symbol}"),
    ("/api/candlesticks/{symbol}", "/api/v1/candlesticks/{symbol}"),
    ("/api/balance", "/api/v1/accounts/balance"),
    ("/api/orders", "/api/v1/orders"),
    ("/api/trades", "/api/v1/trades"),
    ("/api/positions", "/api/v1/positions"),
    ("/api/strategies", "/api/v1/strategies"),
)
LEGACY_WEBSOCKET: tuple[tuple[str, str], ...] = (
    ("/ws", "/ws/v1/stream"),
    ("/ws/market-data", "/ws/v1/stream"),
)


def _pattern(template: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template) + "$")


class _Table:
    """Find the successor of a path: exact paths by dict, templated ones by regex."""

    def __init__(self, pairs: tuple[tuple[str, str], ...]) -> None:
        self.exact = {legacy: successor for legacy, successor in pairs if "{" not in legacy}
        self.templates = [(_pattern(lg), succ) for lg, succ in pairs if "{" in lg]

    def successor(self, path: str) -> str | None:
        found = self.exact.get(path)
        if found is not None:
            return found
        for pattern, successor in self.templates:
            match = pattern.match(path)
            if match:
                return successor.format(**match.groupdict())
        return None


class LegacyPaths:
    """ASGI middleware: route legacy HTTP paths to v1 and mark every legacy answer deprecated."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.http = _Table(LEGACY_HTTP)
        self.websocket = _Table(LEGACY_WEBSOCKET)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        successor = None
        if scope["type"] == "http" and path.startswith("/api/") and not path.startswith("/api/v1/"):
            successor = self.http.successor(path)
            if successor is not None:
                raw = quote(successor, safe="/").encode("ascii")
                scope = {**scope, "path": successor, "raw_path": raw}
        elif scope["type"] == "websocket":
            successor = self.websocket.successor(path)
        if successor is None:
            await self.app(scope, receive, send)
            return
        extra = [
            (b"deprecation", b"true"),
            # Percent-encoded: a path segment may hold any character, a header may not.
            (b"link", f'<{quote(successor, safe="/")}>; rel="successor-version"'.encode("ascii")),
        ]

        async def send_with_headers(message: Message) -> None:
            if message["type"] in ("http.response.start", "websocket.accept"):
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def document_legacy_paths(openapi: Callable[[], dict[str, Any]]) -> Callable[[], dict[str, Any]]:
    """Wrap ``app.openapi`` so the legacy paths appear, deprecated, beside their successors."""

    def build() -> dict[str, Any]:
        schema = openapi()
        paths = schema.get("paths", {})
        for legacy, successor in LEGACY_HTTP:
            if successor not in paths or legacy in paths:
                continue
            item = copy.deepcopy(paths[successor])
            for operation in item.values():
                if isinstance(operation, dict) and "operationId" in operation:
                    operation["operationId"] = "legacy_" + operation["operationId"]
                    operation["deprecated"] = True
                    operation["tags"] = ["legacy"]
                    operation["summary"] = f"{operation.get('summary', '')} (use {successor})"
            paths[legacy] = item
        return schema

    return build
