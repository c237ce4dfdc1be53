"""Pending confirmations: a proposed write waits, stored, for a person with the right role.

A proposal has an id, an expiry and the SHA-256 of its exact tool and
arguments. Confirming re-checks all three and the confirmer's role, moves the
row out of ``pending`` in one UPDATE (so it runs at most once), runs the tool
with the stored arguments and records the outcome. Only people answer: the
CLI, the API (and so the dashboard) and allow-listed Telegram chats.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from tradestack.assistant.audit import CONFIRMATION, PROPOSED, AssistantAudit
from tradestack.assistant.platform import AssistantPlatform
from tradestack.assistant.toolkit import Tool, plain
from tradestack.assistant.writes import WRITE_TOOLS
from tradestack.auth.roles import Principal, Role
from tradestack.compliance.actions import record_manual_action
from tradestack.errors import TradestackError
from tradestack.llm.errors import ConfirmationError, ConfirmationForbiddenError
from tradestack.storage.repositories import assistant as store

log = logging.getLogger(__name__)
PENDING, CONFIRMED, REJECTED, EXPIRED = "pending", "confirmed", "rejected", "expired"
EXECUTED, FAILED = "executed", "failed"
_WRITES = {tool.name: tool for tool in WRITE_TOOLS}


def params_hash(tool: str, arguments: dict[str, Any]) -> str:
    canonical = json.dumps({"tool": tool, "arguments": arguments}, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Proposal:
    confirmation_id: str
    tool: str
    arguments: dict[str, Any]
    params_hash: str
    required_role: str
    status: str
    requested_by: str
    expires_at: datetime
    decided_by: str | None = None
    result: str | None = None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Proposal:
        return cls(
            confirmation_id=row["confirmation_id"],
            tool=row["tool"],
            arguments=row["arguments"],
            params_hash=row["params_hash"],
            required_role=row["required_role"],
            status=row["status"],
            requested_by=row["requested_by"],
            expires_at=row["expires_at"],
            decided_by=row.get("decided_by"),
            result=row.get("result"),
        )


class Confirmations:
    def __init__(
        self,
        platform: AssistantPlatform,
        audit: AssistantAudit,
        *,
        timeout_s: float,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.platform = platform
        self.audit = audit
        self.timeout = timedelta(seconds=timeout_s)
        self.clock = clock

    async def propose(
        self, tool: Tool, arguments: dict[str, Any], *, requested_by: str, trace_id: str
    ) -> Proposal:
        now = self.clock()
        arguments = plain(arguments)
        row = {
            "confirmation_id": secrets.token_hex(4),
            "tool": tool.name,
            "arguments": arguments,
            "params_hash": params_hash(tool.name, arguments),
            "required_role": tool.role.label,
            "status": PENDING,
            "requested_by": requested_by,
            "trace_id": trace_id,
            "created_at": now,
            "expires_at": now + self.timeout,
        }
        async with self.platform.db.transaction() as connection:
            await store.insert_confirmation(connection, row)
        proposal = Proposal.from_row(row)
        await self.audit.record(PROPOSED, _describe(proposal), trace_id=trace_id)
        return proposal

    async def pending(self, limit: int = 50) -> list[Proposal]:
        async with self.platform.db.read() as connection:
            rows = await store.list_confirmations(connection, status=PENDING, limit=limit)
        now = self.clock()
        return [Proposal.from_row(r) for r in rows if r["expires_at"] > now]

    async def get(self, confirmation_id: str) -> Proposal:
        async with self.platform.db.read() as connection:
            row = await store.get_confirmation(connection, confirmation_id)
        if row is None:
            raise ConfirmationError(f"no confirmation {confirmation_id!r}")
        return Proposal.from_row(row)

    async def reject(self, confirmation_id: str, principal: Principal, *, channel: str) -> Proposal:
        proposal = await self.get(confirmation_id)
        self._check_role(proposal, principal)
        await self._decide(proposal, REJECTED, principal, channel)
        return await self.get(confirmation_id)

    async def confirm(
        self, confirmation_id: str, principal: Principal, *, channel: str
    ) -> Proposal:
        """Run the proposed write once, as ``principal``; raise ConfirmationError if not allowed."""
        proposal = await self.get(confirmation_id)
        self._check_role(proposal, principal)
        tool = _WRITES.get(proposal.tool)
        if tool is None or params_hash(proposal.tool, proposal.arguments) != proposal.params_hash:
            raise ConfirmationError(f"confirmation {confirmation_id} does not match its hash")
        arguments = tool.arguments.model_validate(proposal.arguments)
        await self._decide(proposal, CONFIRMED, principal, channel)
        status, result = EXECUTED, ""
        try:
            result = json.dumps(plain(await tool.run(self.platform, arguments)))
        except TradestackError as error:
            status, result = FAILED, str(error)
        async with self.platform.db.transaction() as connection:
            await store.set_result(connection, confirmation_id, status=status, result=result)
        actor = _actor(principal, channel)
        await record_manual_action(
            self.platform.db,
            actor=actor,
            action=f"assistant.{proposal.tool}",
            target=proposal.arguments.get("trader_id") or proposal.arguments.get("client_order_id"),
            details={
                "confirmation_id": confirmation_id,
                "arguments": proposal.arguments,
                "status": status,
            },
            source=channel,
        )
        done = await self.get(confirmation_id)
        await self.audit.record(CONFIRMATION, _describe(done), trace_id=await self._trace(done))
        return done

    def _check_role(self, proposal: Proposal, principal: Principal) -> None:
        if principal.anonymous:
            raise ConfirmationForbiddenError("answering a confirmation needs a token")
        needed = Role.parse(proposal.required_role)
        if not principal.may(needed):
            raise ConfirmationForbiddenError(
                f"{proposal.tool} needs the {needed.label} role; {principal.name} is "
                f"{principal.role.label}"
            )

    async def _decide(
        self, proposal: Proposal, status: str, principal: Principal, channel: str
    ) -> None:
        now = self.clock()
        if proposal.status != PENDING:
            raise ConfirmationError(
                f"confirmation {proposal.confirmation_id} is already {proposal.status}"
            )
        if now > proposal.expires_at:
            async with self.platform.db.transaction() as connection:
                await store.decide_confirmation(
                    connection,
                    proposal.confirmation_id,
                    status=EXPIRED,
                    decided_by="timeout",
                    decided_at=now,
                )
            raise ConfirmationError(f"confirmation {proposal.confirmation_id} expired")
        async with self.platform.db.transaction() as connection:
            moved = await store.decide_confirmation(
                connection,
                proposal.confirmation_id,
                status=status,
                decided_by=_actor(principal, channel),
                decided_at=now,
            )
        if not moved:
            raise ConfirmationError(f"confirmation {proposal.confirmation_id} was answered already")
        if status == REJECTED:
            decided = replace(proposal, status=REJECTED, decided_by=_actor(principal, channel))
            trace_id = await self._trace(decided)
            await self.audit.record(CONFIRMATION, _describe(decided), trace_id=trace_id)

    async def _trace(self, proposal: Proposal) -> str:
        async with self.platform.db.read() as connection:
            row = await store.get_confirmation(connection, proposal.confirmation_id)
        return str(row["trace_id"]) if row else proposal.confirmation_id


def _actor(principal: Principal, channel: str) -> str:
    return f"{channel}:{principal.name}"


def _describe(proposal: Proposal) -> dict[str, Any]:
    return {
        "confirmation_id": proposal.confirmation_id,
        "tool": proposal.tool,
        "arguments": proposal.arguments,
        "params_hash": proposal.params_hash,
        "required_role": proposal.required_role,
        "status": proposal.status,
        "requested_by": proposal.requested_by,
        "decided_by": proposal.decided_by,
        "expires_at": proposal.expires_at.isoformat(),
        "result": proposal.result,
    }
