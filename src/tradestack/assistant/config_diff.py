"""The settings that differ from the defaults, as dotted keys; secrets only say they are set."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, SecretStr

SET = "[set]"


def _defaults(model_type: type[BaseModel]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, field in model_type.model_fields.items():
        out[name] = field.get_default(call_default_factory=True)
    return out


def _flatten(model: BaseModel, prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    defaults = _defaults(type(model))
    for name in type(model).model_fields:
        value, default = getattr(model, name), defaults.get(name)
        key = f"{prefix}{name}"
        if isinstance(value, BaseModel):
            flat.update(_flatten(value, key + "."))
        elif isinstance(value, SecretStr):
            if default is None or value != default:
                flat[key] = SET
        elif value != default:
            flat[key] = value
    return flat


def config_diff(settings: BaseModel) -> dict[str, Any]:
    """``{"changed": {"risk.daily_loss_limit_usd": "500", ...}}``; no secret value appears."""
    changed = {key: _text(value) for key, value in sorted(_flatten(settings).items())}
    return {"changed": changed}


def _text(value: Any) -> Any:
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    if isinstance(value, list | tuple):
        return [_text(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _text(v) for k, v in value.items()}
    return str(value)
