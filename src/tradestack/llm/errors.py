"""Errors of the LLM port and the assistant, each fit to print as one line."""

from __future__ import annotations

from tradestack.errors import TradestackError


class LlmError(TradestackError):
    """The language model could not answer (unreachable, refused, malformed reply)."""


class LlmUnavailableError(LlmError):
    """The provider did not answer usably; ``retryable`` says whether trying again may help."""

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


class BudgetExhaustedError(LlmError):
    """Today's token or cost budget is spent; nothing more is sent to the provider today."""


class AssistantOffError(LlmError):
    """The assistant is switched off (``llm.enabled`` is false)."""


class ConfirmationError(TradestackError):
    """A confirmation cannot be answered: unknown, expired, already answered, or not allowed."""


class ConfirmationForbiddenError(ConfirmationError):
    """The person answering lacks the role the proposed action needs (or has no token)."""
