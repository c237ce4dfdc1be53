"""The Strategy base class: the same object runs in backtests, paper and live trading.

A strategy sees one bar at a time and returns signals; it never places orders
or touches storage. Sizing, risk and execution belong to the trader around it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar, Protocol

from tradestack.domain.enums import SignalSide
from tradestack.domain.market import Bar
from tradestack.domain.orders import Fill, Order
from tradestack.domain.positions import Position
from tradestack.domain.signals import Signal

ParamValue = int | float | str | bool


@dataclass(frozen=True, slots=True)
class Parameter:
    """One tunable parameter: its type, default and bounds, published as a schema."""

    name: str
    type: type[int] | type[float] | type[str] | type[bool]
    default: ParamValue
    minimum: float | None = None
    maximum: float | None = None
    description: str = ""

    def coerce(self, value: Any) -> ParamValue:
        """Convert ``value`` (often a string from the CLI) to this parameter's type and check it."""
        try:
            if self.type is bool and isinstance(value, str):
                lowered = value.strip().lower()
                if lowered not in {"true", "false", "1", "0", "yes", "no"}:
                    raise ValueError
                converted: ParamValue = lowered in {"true", "1", "yes"}
            elif self.type is int and isinstance(value, float) and not value.is_integer():
                raise ValueError
            else:
                converted = self.type(value)
        except (TypeError, ValueError):
            raise ValueError(
                f"parameter {self.name}={value!r} is not a valid {self.type.__name__}"
            ) from None
        if isinstance(converted, int | float) and not isinstance(converted, bool):
            if self.minimum is not None and converted < self.minimum:
                raise ValueError(f"parameter {self.name}={converted} is below {self.minimum}")
            if self.maximum is not None and converted > self.maximum:
                raise ValueError(f"parameter {self.name}={converted} is above {self.maximum}")
        return converted

    def schema(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type.__name__,
            "default": self.default,
            "minimum": self.minimum,
            "maximum": self.maximum,
            "description": self.description,
        }


class StrategyContext(Protocol):
    """What a strategy may know about the trader running it."""

    @property
    def trader_id(self) -> str: ...

    def position_quantity(self, symbol: str) -> Decimal: ...


class Strategy(ABC):
    """Subclass, declare ``name`` and ``parameters``, and implement ``on_bar``."""

    INTERFACE_VERSION: ClassVar[int] = 1
    name: ClassVar[str]
    description: ClassVar[str] = ""
    parameters: ClassVar[tuple[Parameter, ...]] = ()
    allow_short: ClassVar[bool] = False

    def __init__(self, **params: Any) -> None:
        self.params: dict[str, ParamValue] = self.resolve_params(params)
        self.validate()

    @classmethod
    def resolve_params(cls, given: Mapping[str, Any]) -> dict[str, ParamValue]:
        """Merge ``given`` over the defaults; raise ValueError naming an unknown or bad one."""
        known = {p.name: p for p in cls.parameters}
        unknown = sorted(set(given) - set(known))
        if unknown:
            raise ValueError(
                f"unknown parameter(s) {', '.join(unknown)} for strategy {cls.name} "
                f"(known: {', '.join(known) or 'none'})"
            )
        return {
            name: p.coerce(given[name]) if name in given else p.default for name, p in known.items()
        }

    def validate(self) -> None:  # noqa: B027 - an optional hook
        """Check relations between parameters; raise ValueError with a clear message."""

    @property
    def warmup_bars(self) -> int:
        """How many past bars the strategy needs before its signals mean anything."""
        return 0

    @abstractmethod
    def on_bar(self, bar: Bar, context: StrategyContext) -> Sequence[Signal]:
        """Consume one closed bar and return the signals it triggers (often none)."""

    def on_order_update(self, order: Order, context: StrategyContext) -> None:  # noqa: B027
        """Called after a bar settles, once per order whose status changed; a no-op by default."""

    def on_fill(self, fill: Fill, context: StrategyContext) -> None:  # noqa: B027
        """Called after a bar settles, once per fill of this trader; a no-op by default."""

    def on_position_changed(  # noqa: B027
        self, position: Position, context: StrategyContext
    ) -> None:
        """Called after a bar settles, once per position a fill changed; a no-op by default."""

    def signal(
        self, bar: Bar, side: SignalSide, context: StrategyContext, confidence: float = 1.0
    ) -> Signal:
        return Signal(
            symbol=bar.symbol,
            side=side,
            confidence=confidence,
            strategy=self.name,
            trader_id=context.trader_id,
            ts=bar.ts,
            price=bar.close,
        )

    @classmethod
    def schema(cls) -> dict[str, Any]:
        return {
            "name": cls.name,
            "description": cls.description,
            "allow_short": cls.allow_short,
            "parameters": [p.schema() for p in cls.parameters],
        }
