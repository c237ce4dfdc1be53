"""``tradestack migrate llm``: switch the LLM endpoint after probing it, or roll back."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import typer
from pydantic import SecretStr

from tradestack.cli.output import console
from tradestack.cli.settings_option import ConfigOption, settings_from
from tradestack.errors import ConfigError
from tradestack.llm import switch
from tradestack.llm.errors import LlmError


def _config_file(config: Path | None) -> Path:
    raw = config or os.environ.get("TRADESTACK_CONFIG")
    if not raw:
        raise ConfigError(
            "the switch edits the YAML config file: pass --config or TRADESTACK_CONFIG"
        )
    return Path(raw)


def llm(
    to: str | None = typer.Option(None, "--to", help="Base URL of the new endpoint (…/v1)."),
    model: str | None = typer.Option(None, "--model", "-m", help="Model id (default: current)."),
    provider: str | None = typer.Option(
        None, "--provider", help="openai, groq, vllm, llamacpp, ollama or custom (default: guessed)"
    ),
    api_key_env: str | None = typer.Option(
        None, "--api-key-env", help="Environment variable holding the new endpoint's key."
    ),
    rollback: bool = typer.Option(False, "--rollback", help="Put the previous endpoint back."),
    config: ConfigOption = None,
) -> None:
    """Probe a new OpenAI-compatible endpoint (models, one prompt, latency), then switch to it."""
    config_file = _config_file(config)
    settings = settings_from(config_file)
    if rollback:
        restored = switch.rollback(config_file, settings.home)
        where = (restored or {}).get("base_url") or "the defaults"
        console.print(f"[green]rolled back[/]: llm is {where} again (in {config_file})")
        return
    if not to:
        raise ConfigError("pass --to URL, or --rollback")
    new = switch.candidate(settings.llm, url=to, model=model, provider=provider)
    if api_key_env:
        key = os.environ.get(api_key_env)
        if not key:
            raise ConfigError(f"environment variable {api_key_env} is not set")
        new = new.model_copy(update={"api_key": SecretStr(key)})
    report = asyncio.run(switch.probe(new))
    console.print(f"endpoint  {report.endpoint}")
    console.print(f"models    {', '.join(report.models) or '-'}")
    if report.latency_s is not None:
        console.print(
            f"probe     {report.latency_s * 1000:.0f} ms: {(report.reply or '').strip()!r}"
        )
    if not report.ok:
        raise LlmError("not switched: " + "; ".join(report.problems))
    switch.switch_config(config_file, settings.home, new)
    console.print(
        f"[green]switched[/]: llm is {new.provider} {new.model} at {new.endpoint} "
        f"(previous kept for --rollback)"
    )
