"""WebhookNotifier: a JSON POST signed with HMAC-SHA256 so the receiver can trust it.

The signature is ``X-Tradestack-Signature: sha256=<hex>`` over the exact body
bytes, keyed by ``notify.webhook_secret``; receivers recompute and compare it
in constant time (see ``signature``).
"""

from __future__ import annotations

import hashlib
import hmac
import json

import httpx

from tradestack.domain.notifications import Notification
from tradestack.notify.port import NotifyError

SIGNATURE_HEADER = "X-Tradestack-Signature"
KIND_HEADER = "X-Tradestack-Event"


def signature(secret: bytes, body: bytes) -> str:
    """Return the header value for ``body``: ``sha256=`` and the hex HMAC digest."""
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def payload(notification: Notification) -> bytes:
    document = {
        "source": "tradestack",
        "kind": notification.kind.value,
        "title": notification.title,
        "text": notification.text,
        "trader_id": notification.trader_id,
        "details": notification.details,
        "ts": notification.ts.isoformat(),
    }
    return json.dumps(document, default=str, separators=(",", ":"), sort_keys=True).encode()


class WebhookNotifier:
    name = "webhook"

    def __init__(
        self,
        *,
        url: str,
        secret: bytes | None,
        timeout_s: float = 5.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.url = url
        self._secret = secret
        self._client = httpx.AsyncClient(timeout=timeout_s, transport=transport)

    async def send(self, notification: Notification) -> None:
        body = payload(notification)
        headers = {"Content-Type": "application/json", KIND_HEADER: notification.kind.value}
        if self._secret is not None:
            headers[SIGNATURE_HEADER] = signature(self._secret, body)
        try:
            response = await self._client.post(self.url, content=body, headers=headers)
        except httpx.HTTPError as error:
            raise NotifyError(f"webhook {self.url} unreachable: {type(error).__name__}") from None
        if response.status_code >= 300:
            raise NotifyError(f"webhook {self.url} answered {response.status_code}")

    async def close(self) -> None:
        await self._client.aclose()
