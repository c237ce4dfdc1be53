"""Keep secrets out of prompts, logs, answers and the audit trail.

Every secret value tradestack knows of (each ``SecretStr`` in the settings,
and environment variables named like keys, tokens, secrets or passwords) is
replaced by ``[redacted]`` in any text that leaves through the assistant.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel, SecretStr

MASK = "[redacted]"
_SECRET_NAME = re.compile(r"(KEY|TOKEN|SECRET|PASSWORD|PASSPHRASE|CREDENTIAL)", re.IGNORECASE)
_MIN_LENGTH = 6  # shorter values would mask ordinary words and numbers


def secrets_of(model: BaseModel) -> list[str]:
    """Every ``SecretStr`` value inside a settings model, nested groups included."""
    found: list[str] = []
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, SecretStr):
            found.append(value.get_secret_value())
        elif isinstance(value, BaseModel):
            found.extend(secrets_of(value))
        elif isinstance(value, dict):
            found.extend(v.get_secret_value() for v in value.values() if isinstance(v, SecretStr))
        elif isinstance(value, list):
            found.extend(v.get_secret_value() for v in value if isinstance(v, SecretStr))
    return found


def secrets_in_environment(environ: Mapping[str, str]) -> list[str]:
    return [value for name, value in environ.items() if _SECRET_NAME.search(name)]


class Redactor:
    def __init__(self, secrets: Iterable[str]) -> None:
        values = sorted({s for s in secrets if s and len(s) >= _MIN_LENGTH}, key=len, reverse=True)
        self._pattern = re.compile("|".join(re.escape(v) for v in values)) if values else None

    @classmethod
    def from_settings(
        cls, settings: BaseModel, environ: Mapping[str, str] | None = None
    ) -> Redactor:
        env = os.environ if environ is None else environ
        return cls([*secrets_of(settings), *secrets_in_environment(env)])

    def text(self, value: str) -> str:
        if self._pattern is None or not value:
            return value
        return self._pattern.sub(MASK, value)

    def data(self, value: Any) -> Any:
        """Redact every string inside JSON-like data."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {k: self.data(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.data(v) for v in value]
        return value


_active: list[Redactor] = []
_base_factory = logging.getLogRecordFactory()


def _redacting_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
    record = _base_factory(*args, **kwargs)
    if _active:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return record
        clean = _active[-1].text(message)
        if clean != message:
            record.msg, record.args = clean, None
    return record


def guard_logging(redactor: Redactor) -> None:
    """Mask these secrets in every log record of the process, whichever logger or handler.

    A record factory rather than a logger filter: filters do not reach child
    loggers or the libraries' own (openai, httpx) records.
    """
    _active[:] = [redactor]
    if logging.getLogRecordFactory() is not _redacting_factory:
        logging.setLogRecordFactory(_redacting_factory)
