"""The assistant in a chat: ``/ask``, and ``/approve ID`` or ``/reject ID`` for its proposals.

An allow-listed chat answers proposals with the role ``assistant.telegram_role``
(admin by default, as such a chat may already emergency-stop traders). The
assistant is built on first use, so a platform without ``llm.enabled`` only
answers that it is off.
"""

from __future__ import annotations

import logging
from typing import Any

from tradestack.assistant.engine import Assistant
from tradestack.assistant.factory import build_assistant
from tradestack.auth.roles import Principal, Role
from tradestack.errors import TradestackError

log = logging.getLogger(__name__)


class AssistantChat:
    def __init__(self, platform: Any) -> None:
        self.platform = platform
        self._assistant: Assistant | None = None

    def _get(self) -> Assistant:
        if self._assistant is None:
            self._assistant = build_assistant(self.platform)
        return self._assistant

    async def handle(self, chat_id: int, command: str, args: list[str]) -> str:
        try:
            if command == "ask":
                return await self._ask(chat_id, " ".join(args).strip())
            return await self._answer(chat_id, command, args)
        except TradestackError as error:
            return str(error)

    async def _ask(self, chat_id: int, question: str) -> str:
        if not question:
            return "Usage: /ask QUESTION"
        answer = await self._get().ask(question, actor=f"telegram:{chat_id}")
        lines = [answer.text or "(no answer)"]
        for p in answer.proposals:
            lines.append(
                f"Proposed {p.tool} {p.arguments} (needs {p.required_role}). "
                f"/approve {p.confirmation_id} or /reject {p.confirmation_id}"
            )
        return "\n".join(lines)

    async def _answer(self, chat_id: int, command: str, args: list[str]) -> str:
        if not args:
            return f"Usage: /{command} ID"
        role = Role.parse(self.platform.settings.assistant.telegram_role)
        who = Principal(name=str(chat_id), role=role)
        confirmations = self._get().confirmations
        if command == "reject":
            done = await confirmations.reject(args[0], who, channel="telegram")
            return f"Rejected {done.tool} {done.arguments}."
        done = await confirmations.confirm(args[0], who, channel="telegram")
        return f"{done.status}: {done.tool} {done.arguments} {done.result or ''}".strip()
