"""Switch the LLM endpoint by configuration: probe the new one, then rewrite ``llm`` in the YAML.

``tradestack migrate llm --to URL`` lists the endpoint's models, sends one probe
prompt and times it; only when both work does the config file get the new
``base_url``/``model``/``provider``. The section it replaced is kept beside the
database (``$TRADESTACK_HOME/llm-previous.yaml``) for ``--rollback``, which
swaps the two back. Keys are never written: they stay in the environment.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tradestack.config.llm_settings import LlmSettings
from tradestack.config.loader import load_settings
from tradestack.errors import ConfigError
from tradestack.llm.errors import LlmError
from tradestack.llm.port import ChatModel

PROBE_PROMPT = "Reply with the single word: ready"
PREVIOUS_FILE = "llm-previous.yaml"
_ABSENT = "__absent__"


@dataclass
class ProbeReport:
    endpoint: str
    model: str
    models: list[str] = field(default_factory=list)
    reply: str | None = None
    latency_s: float | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def guess_provider(url: str) -> str:
    """A label for metrics and /ready, read from well-known hosts and ports."""
    lowered = url.lower()
    for marker, provider in (
        ("api.openai.com", "openai"),
        ("groq.com", "groq"),
        (":11434", "ollama"),
    ):
        if marker in lowered:
            return provider
    return "custom"


async def probe(settings: LlmSettings, model: ChatModel | None = None) -> ProbeReport:
    """Ask the endpoint for its models and one short answer; collect what went wrong."""
    if model is None:
        from tradestack.llm.openai_compat import OpenAICompatibleModel  # openai loads slowly

        client: ChatModel = OpenAICompatibleModel(settings)
    else:
        client = model
    report = ProbeReport(endpoint=settings.endpoint, model=settings.model)
    try:
        try:
            report.models = await client.list_models()
        except LlmError as error:
            report.problems.append(f"model list: {error}")
            return report
        if report.model not in report.models:
            report.problems.append(
                f"model {report.model!r} is not served (served: {', '.join(report.models) or '-'})"
            )
            return report
        started = time.perf_counter()
        try:
            reply = await client.complete(
                [{"role": "user", "content": PROBE_PROMPT}], max_tokens=8, temperature=0.0
            )
        except LlmError as error:
            report.problems.append(f"probe prompt: {error}")
            return report
        report.latency_s = time.perf_counter() - started
        report.reply = reply.content
        if not (reply.content or "").strip():
            report.problems.append("probe prompt: the model answered with no text")
        return report
    finally:
        if model is None:
            await client.close()


def candidate(current: LlmSettings, *, url: str, model: str | None, provider: str | None) -> Any:
    """The settings to probe: the current ones with the new endpoint and model."""
    return current.model_copy(
        update={
            "base_url": url.rstrip("/"),
            "model": model or current.model,
            "provider": provider or guess_provider(url),
            "enabled": True,
        }
    )


def switch_config(config_file: Path, home: Path, new: LlmSettings) -> None:
    """Write the endpoint into the file's ``llm`` section; keep the old section for rollback."""
    data = _read(config_file)
    old = data.get("llm", _ABSENT)
    section = dict(old) if isinstance(old, dict) else {}
    section.update(
        {"enabled": True, "provider": new.provider, "base_url": new.base_url, "model": new.model}
    )
    data["llm"] = section
    _write_checked(config_file, data, previous=old, home=home)


def rollback(config_file: Path, home: Path) -> dict[str, Any] | None:
    """Put the previous ``llm`` section back (and keep the current one, so it can be undone)."""
    saved = home / PREVIOUS_FILE
    if not saved.exists():
        raise ConfigError(f"nothing to roll back: {saved} does not exist")
    previous = yaml.safe_load(saved.read_text(encoding="utf-8"))["llm"]
    data = _read(config_file)
    current = data.get("llm", _ABSENT)
    if previous == _ABSENT:
        data.pop("llm", None)
    else:
        data["llm"] = previous
    _write_checked(config_file, data, previous=current, home=home)
    return None if previous == _ABSENT else previous


def _read(config_file: Path) -> dict[str, Any]:
    if not config_file.exists():
        raise ConfigError(f"config file {config_file} does not exist (the switch edits it)")
    data = yaml.safe_load(config_file.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ConfigError(f"config file {config_file} must hold a mapping of settings")
    return data


def _write_checked(config_file: Path, data: dict[str, Any], *, previous: Any, home: Path) -> None:
    before = config_file.read_text(encoding="utf-8")
    config_file.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    try:
        load_settings(config_file)
    except ConfigError:
        config_file.write_text(before, encoding="utf-8")
        raise
    home.mkdir(parents=True, exist_ok=True)
    saved = home / PREVIOUS_FILE
    saved.write_text(yaml.safe_dump({"llm": previous}, sort_keys=False), encoding="utf-8")
    saved.chmod(0o600)
