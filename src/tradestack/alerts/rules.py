"""Alert rules and the ``alerts.yaml`` file that holds them.

A rule has exactly one condition: a live ``metric`` compared with ``above`` or
``below``, an ``event`` type that raises it (optionally ``until`` another
event type, or ``clear_after`` a quiet period), or ``heartbeat_missing``
(services silent for longer than that). ``for`` delays raising until the
condition has held that long. Durations are seconds or ``30s``, ``5m``,
``1h``, ``1d``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from tradestack.domain.alerts import Severity
from tradestack.errors import ConfigError

METRICS = {
    "signals_per_s": "signals generated per second over the window",
    "fills_per_s": "fills per second over the window",
    "order_rejection_rate": "rejected / (submitted + rejected) orders over the window",
    "handler_error_rate": "failed / handled bus events over the window",
    "database_up": "1 while the database answers, else 0",
    "bar_gaps": "missing bars seen in live series over the window, per series",
    "trader_faulted": "1 for each trader whose runner has faulted",
}
# Notifying action -> the notification channels it goes to (None: every configured channel).
NOTIFY_ACTIONS: dict[str, tuple[str, ...] | None] = {
    "notify": None,
    "notify_log": ("log",),
    "notify_webhook": ("webhook",),
    "notify_telegram": ("telegram",),
    # Names older systems' alert files use (seed 003's monitoring/alerts.yaml):
    "notify_ops_team": ("webhook",),  # the ops team's incident or chat webhook
    "page_oncall": None,  # a page must reach someone: every configured channel
}
ACTIONS = (*NOTIFY_ACTIONS, "halt_trader")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_UNIT_S = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(value: object) -> float:
    """Turn ``90``, ``"90s"``, ``"5m"``, ``"1h"`` or ``"1d"`` into seconds."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a duration")
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        match = _DURATION.match(str(value))
        if match is None:
            raise ValueError(f"{value!r} is not a duration like 30s, 5m, 1h or 1d")
        seconds = float(match.group(1)) * _UNIT_S[match.group(2)]
    if seconds < 0:
        raise ValueError(f"{value!r} is negative")
    return seconds


class AlertRule(BaseModel):
    """One rule; the field names are those of ``alerts.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
    severity: Severity = Severity.WARNING
    message: str | None = None
    actions: tuple[str, ...] = ("notify",)
    for_s: float = Field(default=0.0, alias="for")
    # metric condition
    metric: str | None = None
    above: float | None = None
    below: float | None = None
    window_s: float = Field(default=300.0, alias="window")
    # event condition
    event: str | None = None
    match: dict[str, str] = Field(default_factory=dict)
    subject: str = "trader_id"
    until: str | None = None
    clear_after_s: float | None = Field(default=None, alias="clear_after")
    # heartbeat condition
    heartbeat_missing_s: float | None = Field(default=None, alias="heartbeat_missing")
    services: tuple[str, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _single_action(cls, data: object) -> object:
        """Accept ``action: page_oncall`` (older alert files) as ``actions: [page_oncall]``."""
        if isinstance(data, dict) and "action" in data:
            if "actions" in data:
                raise ValueError("give either action or actions, not both")
            data = dict(data)
            data["actions"] = data.pop("action")
        return data

    @field_validator("actions", mode="before")
    @classmethod
    def _listed(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value

    @field_validator("actions")
    @classmethod
    def _known_actions(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for action in value:
            if action not in ACTIONS:
                raise ValueError(f"unknown action {action!r} (known: {', '.join(ACTIONS)})")
        return value

    @field_validator("for_s", "window_s", "clear_after_s", "heartbeat_missing_s", mode="before")
    @classmethod
    def _duration(cls, value: object) -> float | None:
        return None if value is None else parse_duration(value)

    @field_validator("metric")
    @classmethod
    def _known_metric(cls, value: str | None) -> str | None:
        if value is not None and value not in METRICS:
            raise ValueError(f"unknown metric {value!r} (known: {', '.join(sorted(METRICS))})")
        return value

    @field_validator("match", mode="before")
    @classmethod
    def _match_as_text(cls, value: object) -> object:
        if isinstance(value, dict):
            return {str(k): str(v) for k, v in value.items()}
        return value

    @model_validator(mode="after")
    def _one_condition(self) -> AlertRule:
        kinds = [
            k
            for k, v in (
                ("metric", self.metric),
                ("event", self.event),
                ("heartbeat_missing", self.heartbeat_missing_s),
            )
            if v is not None
        ]
        if len(kinds) != 1:
            raise ValueError(
                "needs exactly one condition: metric, event or heartbeat_missing"
                + (f" (has {', '.join(kinds)})" if kinds else "")
            )
        if self.metric is not None and (self.above is None) == (self.below is None):
            raise ValueError("a metric condition needs exactly one of above or below")
        if self.event is None and (self.until or self.clear_after_s is not None or self.match):
            raise ValueError("until, clear_after and match only go with an event condition")
        return self

    @property
    def notifies(self) -> bool:
        return any(action in NOTIFY_ACTIONS for action in self.actions)

    @property
    def notify_channels(self) -> tuple[str, ...] | None:
        """The channels this rule's notifications go to; None means every configured one."""
        channels: list[str] = []
        for action in self.actions:
            if action not in NOTIFY_ACTIONS:
                continue
            targets = NOTIFY_ACTIONS[action]
            if targets is None:
                return None
            channels += [channel for channel in targets if channel not in channels]
        return tuple(channels)

    @property
    def condition(self) -> str:
        if self.metric is not None:
            return "metric"
        return "event" if self.event is not None else "heartbeat"


class RuleFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    rules: list[AlertRule] = Field(default_factory=list)


def parse_rules(data: object, *, source: str = "alerts.yaml") -> list[AlertRule]:
    """Validate rules from already-parsed YAML.

    Raises
    ------
    ConfigError
        Naming the file, the rule (by name, or by position when unnamed) and the field.
    """
    if data is None:
        return []
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: must hold a mapping with a 'rules' list")
    try:
        rules = RuleFile.model_validate(data).rules
    except ValidationError as error:
        raise ConfigError(_describe(error, data, source)) from None
    seen: set[str] = set()
    for rule in rules:
        if rule.name in seen:
            raise ConfigError(f"{source}: rule {rule.name!r}: field 'name': used twice")
        seen.add(rule.name)
    return rules


def check_channels(
    rules: list[AlertRule], configured: Sequence[str], *, source: str = "alerts.yaml"
) -> None:
    """Make sure every action that names channels has them configured.

    Raises
    ------
    ConfigError
        Naming the rule, the action and the channel that ``notify.channels`` lacks.
    """
    for rule in rules:
        for action in rule.actions:
            missing = [c for c in NOTIFY_ACTIONS.get(action) or () if c not in configured]
            if missing:
                raise ConfigError(
                    f"{source}: rule {rule.name!r}: action {action!r} sends to "
                    f"{', '.join(missing)}, which notify.channels does not include "
                    f"(configured: {', '.join(configured) or 'none'}); add it to "
                    "TRADESTACK_NOTIFY__CHANNELS or use the action notify"
                )


def load_rules(path: Path) -> list[AlertRule]:
    """Read and validate a rules file; every problem is a ConfigError naming rule and field."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"alert rules file {path} does not exist") from None
    except yaml.YAMLError as error:
        raise ConfigError(f"alert rules file {path} is not valid YAML: {error}") from None
    return parse_rules(data, source=str(path))


def _describe(error: ValidationError, data: dict[str, Any], source: str) -> str:
    item = error.errors()[0]
    location = [str(part) for part in item["loc"]]
    message = str(item["msg"]).removeprefix("Value error, ")
    if len(location) >= 2 and location[0] == "rules" and location[1].isdigit():
        index = int(location[1])
        raw = data.get("rules") or []
        name = raw[index].get("name") if index < len(raw) and isinstance(raw[index], dict) else None
        rule = f"rule {name!r}" if name else f"rule #{index + 1}"
        field = ".".join(location[2:]) or "(rule)"
        return f"{source}: {rule}: field {field!r}: {message}"
    return f"{source}: field {'.'.join(location)!r}: {message}"
