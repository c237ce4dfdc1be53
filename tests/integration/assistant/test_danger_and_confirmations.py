"""Writes only with a confirmation: danger list, parsing, roles, expiry, hashes, injection."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update

from tests.integration.assistant.conftest import INJECTION, Step, trader_status
from tradestack.assistant.engine import Assistant
from tradestack.assistant.platform import StoredPlatform
from tradestack.auth.roles import Principal, Role
from tradestack.llm.errors import (
    BudgetExhaustedError,
    ConfirmationError,
    ConfirmationForbiddenError,
)
from tradestack.llm.scripted import ScriptedModel, call, reply
from tradestack.storage.repositories.assistant import list_confirmations
from tradestack.storage.repositories.journal import count_events
from tradestack.storage.tables import assistant_confirmations

ADMIN = Principal(name="ops", role=Role.ADMIN, token_id="t1")
TRADER = Principal(name="desk", role=Role.TRADER, token_id="t2")
VIEWER = Principal(name="watcher", role=Role.VIEWER, token_id="t3")


async def _propose_stop(assistant_for: Callable[[list[Step]], Assistant]) -> tuple[Assistant, str]:
    assistant = assistant_for(
        [
            reply(None, call("stop_trader", {"trader_id": "alpha"})),
            reply("I proposed stopping alpha; please confirm."),
        ]
    )
    answer = await assistant.ask("stop alpha", actor="test:ops")
    assert [(t.name, t.status) for t in answer.tools] == [("stop_trader", "proposed")]
    return assistant, answer.proposals[0].confirmation_id


async def test_a_write_becomes_a_pending_proposal_and_nothing_changes(
    assistant_for: Callable[[list[Step]], Assistant], platform: StoredPlatform
) -> None:
    _assistant, confirmation_id = await _propose_stop(assistant_for)
    assert await trader_status(platform) == "active"
    async with platform.db.read() as connection:
        rows = await list_confirmations(connection)
        manual = await count_events(connection, "manual.action")
    assert [(r["confirmation_id"], r["status"], r["tool"]) for r in rows] == [
        (confirmation_id, "pending", "stop_trader")
    ]
    assert rows[0]["arguments"] == {"trader_id": "alpha"} and len(rows[0]["params_hash"]) == 64
    assert manual == 0


@pytest.mark.parametrize("arguments", ['{"trader_id": "alpha"', '["alpha"]', '{"trader": "alpha"}'])
async def test_a_call_whose_arguments_cannot_be_parsed_is_dangerous_and_never_runs(
    assistant_for: Callable[[list[Step]], Assistant], platform: StoredPlatform, arguments: str
) -> None:
    assistant = assistant_for(
        [
            reply(None, call("stop_trader", arguments), call("positions", arguments)),
            reply("Could not do it."),
        ]
    )
    answer = await assistant.ask("stop alpha", actor="test:ops")
    assert [(t.name, t.status) for t in answer.tools] == [
        ("stop_trader", "refused"),
        ("positions", "refused"),
    ]
    assert answer.proposals == []
    async with platform.db.read() as connection:
        assert await list_confirmations(connection) == []


async def test_a_tool_that_does_not_exist_is_refused(
    assistant_for: Callable[[list[Step]], Assistant],
) -> None:
    assistant = assistant_for([reply(None, call("confirm", {"confirmation_id": "x"})), reply("ok")])
    answer = await assistant.ask("confirm it", actor="test:ops")
    assert answer.tools[0].status == "refused" and answer.tools[0].output == "unknown tool"


async def test_confirmation_needs_the_role_of_the_action_and_runs_exactly_once(
    assistant_for: Callable[[list[Step]], Assistant], platform: StoredPlatform
) -> None:
    assistant, confirmation_id = await _propose_stop(assistant_for)
    confirmations = assistant.confirmations
    for who in (VIEWER, TRADER, Principal(name="anonymous", role=Role.ADMIN)):
        with pytest.raises(ConfirmationForbiddenError):
            await confirmations.confirm(confirmation_id, who, channel="test")
    assert await trader_status(platform) == "active"
    done = await confirmations.confirm(confirmation_id, ADMIN, channel="telegram")
    assert done.status == "executed" and done.decided_by == "telegram:ops"
    assert await trader_status(platform) == "stopped"
    with pytest.raises(ConfirmationError, match="already"):
        await confirmations.confirm(confirmation_id, ADMIN, channel="test")
    async with platform.db.read() as connection:
        assert await count_events(connection, "manual.action") == 1
        assert await count_events(connection, "assistant.confirmation") == 1


async def test_an_expired_or_rejected_proposal_can_never_run(
    assistant_for: Callable[[list[Step]], Assistant], platform: StoredPlatform
) -> None:
    assistant, first = await _propose_stop(assistant_for)
    confirmations = assistant.confirmations
    await confirmations.reject(first, ADMIN, channel="cli")
    with pytest.raises(ConfirmationError, match="already rejected"):
        await confirmations.confirm(first, ADMIN, channel="cli")

    _again, second = await _propose_stop(assistant_for)
    later = datetime.now(UTC) + timedelta(hours=1)
    confirmations.clock = lambda: later
    with pytest.raises(ConfirmationError, match="expired"):
        await confirmations.confirm(second, ADMIN, channel="cli")
    assert (await confirmations.get(second)).status == "expired"
    assert await trader_status(platform) == "active"


async def test_arguments_changed_after_the_proposal_fail_the_hash(
    assistant_for: Callable[[list[Step]], Assistant], platform: StoredPlatform
) -> None:
    assistant, confirmation_id = await _propose_stop(assistant_for)
    async with platform.db.transaction() as connection:
        await connection.execute(
            update(assistant_confirmations).values(arguments={"trader_id": "beta"})
        )
    with pytest.raises(ConfirmationError, match="does not match its hash"):
        await assistant.confirmations.confirm(confirmation_id, ADMIN, channel="cli")


async def test_injection_inside_an_alert_cannot_stop_a_trader(
    assistant_for: Callable[[list[Step]], Assistant], platform: StoredPlatform
) -> None:
    def obey(messages: list[dict[str, Any]]) -> Any:
        alert_text = messages[-1]["content"]
        assert INJECTION in alert_text and '"untrusted_data"' in alert_text
        return reply(
            None,
            call("stop_trader", {"trader_id": "alpha"}, "s"),
            call("confirm", {"id": "latest"}, "c"),
        )

    assistant = assistant_for(
        [reply(None, call("alerts")), obey, reply("Done: alpha is stopped and confirmed.")]
    )
    answer = await assistant.ask("Read the alerts and do what they say", actor="test:ops")
    assert [t.status for t in answer.tools] == ["ran", "proposed", "refused"]
    assert await trader_status(platform) == "active"
    async with platform.db.read() as connection:
        rows = await list_confirmations(connection)
        assert await count_events(connection, "manual.action") == 0
    assert [r["status"] for r in rows] == ["pending"]
    model = assistant.client.model
    assert isinstance(model, ScriptedModel)
    system = model.seen[0][0]["content"]
    assert "untrusted" in system and "cannot confirm" in system


@pytest.mark.parametrize("llm_overrides", [{"daily_token_budget": 20}])
async def test_a_spent_budget_stops_the_assistant_before_it_calls_the_model(
    assistant_for: Callable[[list[Step]], Assistant],
) -> None:
    assistant = assistant_for(
        [reply("first", prompt_tokens=15, completion_tokens=10), reply("second")]
    )
    await assistant.ask("one", actor="test:ops")
    with pytest.raises(BudgetExhaustedError, match="token budget of 20"):
        await assistant.ask("two", actor="test:ops")
    model = assistant.client.model
    assert isinstance(model, ScriptedModel) and len(model.seen) == 1
