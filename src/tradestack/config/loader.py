"""Load settings from env, ``.env`` and YAML, turning every mistake into one clear ConfigError."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, SecretStr, ValidationError

from tradestack.config.settings import Settings, yaml_file_var
from tradestack.errors import ConfigError

ENV_PREFIX = "TRADESTACK_"
# Read by the test harness and the YAML loader, not by the settings model itself.
_ENV_OUTSIDE_MODEL = {"TRADESTACK_CONFIG", "TRADESTACK_REQUIRE_SERVICES"}


def load_settings(config_file: Path | str | None = None, **overrides: Any) -> Settings:
    """Build the effective settings: overrides > env > ``.env`` > YAML file > defaults.

    Raises
    ------
    ConfigError
        An unknown ``TRADESTACK_*`` variable or YAML key, a bad value, or an
        unreadable YAML file; the message names the key and the value.
    """
    raw_path = config_file or os.environ.get("TRADESTACK_CONFIG")
    path = Path(raw_path) if raw_path else None
    if path is not None:
        _check_yaml(path)
    _reject_unknown_env()
    token = yaml_file_var.set(path)
    try:
        return Settings(**overrides)
    except ValidationError as error:
        raise ConfigError(_describe(error)) from None
    finally:
        yaml_file_var.reset(token)


def _check_yaml(path: Path) -> None:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist") from None
    except yaml.YAMLError as error:
        raise ConfigError(f"config file {path} is not valid YAML: {_yaml_problem(error)}") from None
    if data is None:
        return
    if not isinstance(data, dict):
        raise ConfigError(f"config file {path} must hold a mapping of settings")
    if "config_version" not in data:
        raise ConfigError(f"config file {path} has no config_version (this release reads 2)")
    _reject_unknown_keys(data, Settings, prefix="", source=str(path))


def _yaml_problem(error: yaml.YAMLError) -> str:
    """One line from PyYAML's multi-line message: the problem and where it was found."""
    problem = getattr(error, "problem", None) or getattr(error, "context", None)
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    text = str(problem or error).splitlines()[0]
    if mark is not None:
        text += f" at line {mark.line + 1}, column {mark.column + 1}"
    return text


def _reject_unknown_keys(
    data: dict[str, Any], model: type[BaseModel], *, prefix: str, source: str
) -> None:
    fields = model.model_fields
    for key, value in data.items():
        if key not in fields:
            known = ", ".join(sorted(fields))
            raise ConfigError(f"{source}: unknown setting {prefix}{key} (known: {known})")
        group = _group_model(fields[key].annotation)
        if isinstance(value, dict) and group is not None:
            _reject_unknown_keys(value, group, prefix=f"{prefix}{key}.", source=source)


def _reject_unknown_env() -> None:
    fields = Settings.model_fields
    for name in os.environ:
        if not name.startswith(ENV_PREFIX) or name in _ENV_OUTSIDE_MODEL:
            continue
        top, _, nested = name[len(ENV_PREFIX) :].lower().partition("__")
        if top not in fields:
            raise ConfigError(f"unknown setting {name} in the environment")
        group = _group_model(fields[top].annotation)
        if nested and group is not None and nested not in group.model_fields:
            raise ConfigError(f"unknown setting {name} in the environment")


def _group_model(annotation: object) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def validation_message(error: ValidationError) -> str:
    """Describe a settings validation error in one line, naming each key and its variable."""
    return _describe(error)


def _describe(error: ValidationError) -> str:
    problems = []
    for item in error.errors():
        location = ".".join(str(part) for part in item["loc"]) or "settings"
        env_name = ENV_PREFIX + "__".join(str(p).upper() for p in item["loc"])
        value = item.get("input")
        shown = "***" if "token" in location or "secret" in location or "key" in location else value
        problems.append(f"{location} ({env_name}) = {shown!r}: {item['msg']}")
    return "invalid setting " + "; ".join(problems)


def masked(settings: Settings) -> dict[str, Any]:
    """Return the effective settings as plain data with every secret replaced by ``***``."""

    def walk(model: BaseModel) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in type(model).model_fields:
            value = getattr(model, name)
            if isinstance(value, SecretStr):
                out[name] = "***"
            elif isinstance(value, BaseModel):
                out[name] = walk(value)
            else:
                out[name] = _mask_url(value) if name.endswith("_url") else value
        return out

    return walk(settings)


def _mask_url(value: Any) -> Any:
    """Hide the password of a ``scheme://user:password@host`` URL."""
    if not isinstance(value, str) or "@" not in value or "://" not in value:
        return value
    scheme, _, rest = value.partition("://")
    credentials, _, host = rest.rpartition("@")
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if ":" in credentials else value
