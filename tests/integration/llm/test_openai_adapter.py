"""The OpenAI-compatible adapter over real sockets: replies, tool calls, errors, retries, probe."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from pydantic import SecretStr

from tests.support.openai_stub import OpenAIStub, completion
from tradestack.config.llm_settings import LlmSettings
from tradestack.config.loader import load_settings
from tradestack.llm import switch
from tradestack.llm.errors import LlmUnavailableError
from tradestack.llm.factory import build_client
from tradestack.llm.openai_compat import OpenAICompatibleModel

KEY = "sk-canary-provider-key-123456"


def _settings(stub: OpenAIStub, **extra: object) -> LlmSettings:
    values = {"enabled": True, "provider": "vllm", "base_url": stub.base_url,
              "model": "stub-model", "api_key": SecretStr(KEY), **extra}  # fmt: skip
    return LlmSettings(**values)  # type: ignore[arg-type]


async def test_a_reply_with_tool_calls_and_usage_comes_back_through_the_port(
    openai_stub: OpenAIStub,
) -> None:
    call = {"id": "c1", "type": "function", "function": {"name": "positions", "arguments": "{}"}}
    openai_stub.chat = lambda body: (200, completion(None, [call]))
    model = OpenAICompatibleModel(_settings(openai_stub))
    tools = [{"type": "function", "function": {"name": "positions", "parameters": {}}}]
    reply = await model.complete([{"role": "user", "content": "positions?"}], tools=tools)
    await model.close()
    assert reply.tool_calls[0].name == "positions" and reply.tool_calls[0].arguments == "{}"
    assert reply.usage.total_tokens == 15
    path, headers, body = openai_stub.requests[-1]
    assert path == "/v1/chat/completions" and body["model"] == "stub-model"
    assert body["tools"] == tools and headers["authorization"] == f"Bearer {KEY}"


async def test_server_errors_are_retried_and_a_refused_key_is_not(openai_stub: OpenAIStub) -> None:
    answers = iter([(503, {"error": {"message": "busy"}}), (200, completion("ok"))])
    openai_stub.chat = lambda body: next(answers)
    client = build_client(_settings(openai_stub, retry_backoff_s=0.01))
    reply, _ = await client.complete([{"role": "user", "content": "hi"}])
    assert reply.content == "ok" and len(openai_stub.requests) == 2

    openai_stub.chat = lambda body: (401, {"error": {"message": f"bad key {KEY}"}})
    with pytest.raises(LlmUnavailableError) as refused:
        await client.complete([{"role": "user", "content": "hi"}])
    assert "401" in str(refused.value) and KEY not in str(refused.value)
    assert len(openai_stub.requests) == 3  # not retried
    await client.close()


async def test_an_unreachable_endpoint_is_one_clear_error() -> None:
    settings = LlmSettings(base_url="http://127.0.0.1:9/v1", connect_timeout_s=0.5)
    client = build_client(settings.model_copy(update={"max_retries": 0}))
    with pytest.raises(LlmUnavailableError, match="cannot be reached"):
        await client.complete([{"role": "user", "content": "hi"}])
    assert "cannot be reached" in client.health.status


async def test_probe_lists_models_sends_a_prompt_and_times_it(openai_stub: OpenAIStub) -> None:
    good = await switch.probe(_settings(openai_stub))
    assert good.ok and good.models == ["stub-model"] and good.reply == "ready"
    assert good.latency_s is not None and good.latency_s > 0
    missing = await switch.probe(_settings(openai_stub, model="other"))
    assert not missing.ok and "'other' is not served" in missing.problems[0]


def test_switch_rewrites_only_the_llm_section_and_rollback_swaps_it_back(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    old = {"base_url": "https://api.groq.com/openai/v1", "model": "llama3", "provider": "groq",
           "daily_cost_budget_usd": "2"}  # fmt: skip
    config.write_text(yaml.safe_dump({"config_version": 2, "llm": old, "log_level": "INFO"}))
    settings = load_settings(config)
    new = switch.candidate(
        settings.llm, url="http://127.0.0.1:8080/v1", model="smol", provider=None
    )
    switch.switch_config(config, tmp_path, new)
    switched = load_settings(config)
    assert switched.llm.endpoint == "http://127.0.0.1:8080/v1" and switched.llm.model == "smol"
    assert switched.llm.daily_cost_budget_usd == Decimal(2)  # the rest of the section stays
    assert switched.log_level == "INFO"
    switch.rollback(config, tmp_path)
    back = load_settings(config)
    assert back.llm.endpoint == "https://api.groq.com/openai/v1" and back.llm.model == "llama3"
    switch.rollback(config, tmp_path)  # and forward again
    assert load_settings(config).llm.model == "smol"
