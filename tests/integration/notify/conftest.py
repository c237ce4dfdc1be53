"""Local HTTP servers standing in for the Telegram Bot API and webhook receivers."""

from tests.support.http_stub import http_stub

__all__ = ["http_stub"]
