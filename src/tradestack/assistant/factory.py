"""Assemble an Assistant from the settings around a platform (kernel, gateway or stored view)."""

from __future__ import annotations

from tradestack.assistant.audit import AssistantAudit
from tradestack.assistant.confirmations import Confirmations
from tradestack.assistant.engine import Assistant
from tradestack.assistant.platform import AssistantPlatform
from tradestack.assistant.redact import Redactor, guard_logging
from tradestack.llm.errors import AssistantOffError
from tradestack.llm.factory import build_client
from tradestack.llm.metrics import LlmMetrics
from tradestack.llm.port import ChatModel


def build_confirmations(platform: AssistantPlatform) -> Confirmations:
    redactor = Redactor.from_settings(platform.settings)
    return Confirmations(
        platform,
        AssistantAudit(platform.db, redactor),
        timeout_s=platform.settings.assistant.confirm_timeout_s,
    )


def build_assistant(
    platform: AssistantPlatform,
    *,
    model: ChatModel | None = None,
    metrics: LlmMetrics | None = None,
) -> Assistant:
    """Return the assistant; raise AssistantOffError unless ``llm.enabled`` or a model is given."""
    settings = platform.settings
    if model is None and not settings.llm.enabled:
        raise AssistantOffError(
            "the assistant is off: set llm.enabled (TRADESTACK_LLM__ENABLED=true) and an endpoint"
        )
    redactor = Redactor.from_settings(settings)
    guard_logging(redactor)
    audit = AssistantAudit(platform.db, redactor)
    return Assistant(
        platform,
        build_client(settings.llm, model=model, metrics=metrics),
        redactor=redactor,
        confirmations=Confirmations(
            platform, audit, timeout_s=settings.assistant.confirm_timeout_s
        ),
        audit=audit,
        max_rounds=settings.assistant.max_tool_rounds,
        max_result_chars=settings.assistant.max_tool_result_chars,
    )
