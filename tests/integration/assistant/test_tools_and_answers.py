"""The tool loop with a scripted model: tool selection, grounded figures, the audit trail."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from tests.integration.assistant.conftest import Step
from tradestack.assistant.engine import Assistant
from tradestack.assistant.grounding import numbers_in
from tradestack.assistant.platform import StoredPlatform
from tradestack.assistant.reads import READ_TOOLS
from tradestack.assistant.writes import DANGER_LIST
from tradestack.compliance.trail import audit_records
from tradestack.llm.port import ChatReply, Message
from tradestack.llm.scripted import ScriptedModel, call, reply
from tradestack.storage.repositories.assistant import events_of_trace


def _tool_data(messages: Sequence[Message], index: int = -1) -> object:
    tool_messages = [m for m in messages if m["role"] == "tool"]
    return json.loads(tool_messages[index]["content"])["untrusted_data"]


def _answer_from_positions(messages: Sequence[Message]) -> ChatReply:
    position = _tool_data(messages)[0]  # type: ignore[index]
    return reply(
        f"alpha holds {position['quantity']} BTC at {position['average_price']}, "
        f"realized {position['realized_pnl']}."
    )


async def test_the_model_sees_every_tool_and_its_choice_is_run(
    assistant_for: Callable[[list[Step]], Assistant],
) -> None:
    assistant = assistant_for(
        [reply(None, call("positions", {"trader_id": "alpha"})), _answer_from_positions]
    )
    answer = await assistant.ask("What does alpha hold?", actor="test:ops")
    model = assistant.client.model
    assert isinstance(model, ScriptedModel)
    offered = {t["function"]["name"] for t in model.tools_seen[0]}
    assert offered == {t.name for t in READ_TOOLS} | DANGER_LIST
    assert [(t.name, t.status) for t in answer.tools] == [("positions", "ran")]
    assert answer.text == "alpha holds 0.25 BTC at 61234.5, realized 42.17."
    assert answer.ungrounded == [] and answer.proposals == []


async def test_every_figure_of_a_scripted_answer_path_comes_from_a_tool_result(
    assistant_for: Callable[[list[Step]], Assistant],
) -> None:
    def summarise(messages: Sequence[Message]) -> ChatReply:
        traders = _tool_data(messages, 0)
        pnl = _tool_data(messages, 1)
        position = _tool_data(messages, 2)[0]  # type: ignore[index]
        return reply(
            f"{len(traders)} trader; alpha's realized PnL over all time is {pnl['realized_pnl']} "  # type: ignore[index,arg-type]
            f"after fees {pnl['fees_paid']}; it holds {position['quantity']} at "  # type: ignore[index]
            f"{position['average_price']}, last {position['last_price']}."
        )

    assistant = assistant_for(
        [
            reply(
                None,
                call("list_traders", call_id="a"),
                call("pnl", {"trader_id": "alpha", "period": "all"}, "b"),
            ),
            reply(None, call("positions", {"trader_id": "alpha"}, "c")),
            summarise,
        ]
    )
    answer = await assistant.ask("Summarise alpha", actor="test:ops")
    model = assistant.client.model
    assert isinstance(model, ScriptedModel)
    tool_text = " ".join(m["content"] for m in model.seen[-1] if m["role"] == "tool")
    figures = numbers_in(answer.text)
    assert len(figures) >= 4
    for figure in figures:
        assert figure in tool_text or figure == "1", figure
    assert answer.ungrounded == []


async def test_a_figure_no_tool_returned_is_flagged_in_the_answer(
    assistant_for: Callable[[list[Step]], Assistant],
) -> None:
    assistant = assistant_for([reply(None, call("positions")), reply("alpha made 9731.55 today.")])
    answer = await assistant.ask("How much did alpha make?", actor="test:ops")
    assert answer.ungrounded == ["9731.55"]
    assert "do not rely on: 9731.55" in answer.text


async def test_why_did_a_trade_happen_reads_the_events_of_its_trace(
    assistant_for: Callable[[list[Step]], Assistant], platform: StoredPlatform
) -> None:
    first = assistant_for([reply("Nothing to look up.")])
    earlier = await first.ask("hello", actor="test:ops")
    assistant = assistant_for(
        [reply(None, call("trace", {"trace_id": earlier.trace_id})), reply("Done.")]
    )
    answer = await assistant.ask("Why?", actor="test:ops")
    events = answer.tools[0].output["events"]  # type: ignore[index]
    assert [e["event_type"] for e in events] == [
        "assistant.asked",
        "assistant.llm_call",
        "assistant.answered",
    ]


async def test_every_llm_call_and_tool_call_is_on_the_audit_trail(
    assistant_for: Callable[[list[Step]], Assistant], platform: StoredPlatform
) -> None:
    assistant = assistant_for(
        [
            reply(None, call("alerts"), call("stop_trader", {"trader_id": "alpha"})),
            reply("One alert; a stop is proposed."),
        ]
    )
    answer = await assistant.ask("Anything wrong?", actor="test:ops")
    async with platform.db.read() as connection:
        rows = await events_of_trace(connection, answer.trace_id)
    kinds = [r.event_type for r in rows]
    assert kinds.count("assistant.llm_call") == 2
    assert kinds.count("assistant.tool_call") == 2
    assert "assistant.proposed" in kinds and kinds[0] == "assistant.asked"
    calls = {r.payload["tool"]: r.payload for r in rows if r.event_type == "assistant.tool_call"}
    assert calls["alerts"]["dangerous"] is False and calls["stop_trader"]["dangerous"] is True
    trail = await audit_records(platform.db)
    assert {r.category for r in trail} >= {"assistant"}
    assert any(r.event_type == "assistant.proposed" and r.subject == "stop_trader" for r in trail)
