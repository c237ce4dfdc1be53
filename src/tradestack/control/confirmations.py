"""Pending confirmations: a dangerous command waits for ``/confirm CODE`` from the same chat."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class PendingAction:
    action: str
    """``stop`` (one trader) or ``stopall``."""
    target: str | None
    flatten: bool
    code: str
    expires_at: datetime


class Confirmations:
    """At most one pending action per chat; a new request replaces the old one."""

    def __init__(self, *, timeout_s: float) -> None:
        self.timeout = timedelta(seconds=timeout_s)
        self._pending: dict[int, PendingAction] = {}

    def request(
        self, chat_id: int, action: str, target: str | None, flatten: bool, now: datetime
    ) -> PendingAction:
        code = f"{secrets.randbelow(10_000):04d}"
        pending = PendingAction(action, target, flatten, code, now + self.timeout)
        self._pending[chat_id] = pending
        return pending

    def confirm(self, chat_id: int, code: str, now: datetime) -> PendingAction | str:
        """Return the action to run, or why there is none (unknown, expired, wrong code)."""
        pending = self._pending.get(chat_id)
        if pending is None:
            return "Nothing to confirm."
        if now > pending.expires_at:
            del self._pending[chat_id]
            return "That confirmation expired; send the command again."
        if code != pending.code:
            return "Wrong confirmation code; nothing was done."
        del self._pending[chat_id]
        return pending
