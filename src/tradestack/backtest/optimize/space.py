"""The search space: parameter ranges (``fast=5:50:5`` or ``fast=5,8,13``) and constraints.

Constraints compare two parameters, or a parameter and a number
(``fast < slow``, ``slow <= 200``); they are parsed, never evaluated as code.
"""

from __future__ import annotations

import itertools
import operator
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from tradestack.errors import ConfigError

Number = int | float
_COMPARISONS: dict[str, Callable[[Number, Number], bool]] = {
    "<=": operator.le,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    ">": operator.gt,
}
_CONSTRAINT = re.compile(
    r"^\s*([A-Za-z_]\w*|[-+]?\d+(?:\.\d+)?)\s*(<=|>=|==|!=|<|>)\s*([A-Za-z_]\w*|[-+]?\d+(?:\.\d+)?)\s*$"
)


@dataclass(frozen=True, slots=True)
class ParamRange:
    """Candidate values of one parameter: a stepped range (inclusive) or a list."""

    name: str
    values: tuple[Number, ...]
    low: Number | None = None
    high: Number | None = None
    step: Number | None = None

    @property
    def is_int(self) -> bool:
        return all(isinstance(v, int) for v in self.values)


@dataclass(frozen=True, slots=True)
class Constraint:
    text: str
    left: str | Number
    op: str
    right: str | Number

    def holds(self, params: Mapping[str, object]) -> bool:
        return _COMPARISONS[self.op](
            self._value(self.left, params), self._value(self.right, params)
        )

    @staticmethod
    def _value(side: str | Number, params: Mapping[str, object]) -> Number:
        if isinstance(side, str):
            value = params[side]
            if not isinstance(value, int | float):
                raise ConfigError(f"constraint uses {side}, which is not a number")
            return value
        return side


@dataclass(frozen=True, slots=True)
class SearchSpace:
    ranges: tuple[ParamRange, ...]
    constraints: tuple[Constraint, ...] = ()

    def feasible(self, params: Mapping[str, object]) -> bool:
        return all(c.holds(params) for c in self.constraints)

    def grid(self) -> Iterator[dict[str, Number]]:
        """Every combination of the ranges that meets the constraints, in order."""
        names = [r.name for r in self.ranges]
        for values in itertools.product(*(r.values for r in self.ranges)):
            point = dict(zip(names, values, strict=True))
            if self.feasible(point):
                yield point

    @property
    def size(self) -> int:
        total = 1
        for r in self.ranges:
            total *= len(r.values)
        return total


def parse_range(text: str) -> ParamRange:
    """Parse ``NAME=LOW:HIGH[:STEP]`` (inclusive) or ``NAME=V1,V2,...``."""
    name, sep, body = text.partition("=")
    name, body = name.strip(), body.strip()
    if not sep or not name or not body:
        raise ConfigError(f"--range expects NAME=LOW:HIGH[:STEP] or NAME=A,B,C, got {text!r}")
    try:
        if ":" in body:
            parts = [_number(p) for p in body.split(":")]
            if len(parts) not in (2, 3):
                raise ValueError
            low, high = parts[0], parts[1]
            step = parts[2] if len(parts) == 3 else 1
            if step <= 0 or high < low:
                raise ValueError
            count = int((high - low) / step + 1e-9) + 1
            values = tuple(_tidy(low + k * step) for k in range(count))
            return ParamRange(name, values, low, high, step)
        values = tuple(_number(p) for p in body.split(","))
    except ValueError:
        raise ConfigError(
            f"--range {text!r}: expected numbers LOW:HIGH[:STEP] (HIGH >= LOW, STEP > 0) or A,B,C"
        ) from None
    return ParamRange(name, values)


def parse_constraint(text: str, known: set[str]) -> Constraint:
    """Parse ``A OP B``; each side a known parameter name or a number."""
    match = _CONSTRAINT.match(text)
    if match is None:
        raise ConfigError(f"--constraint {text!r}: expected A OP B with OP one of < <= > >= == !=")
    left, op, right = match.groups()
    sides: list[str | Number] = []
    for side in (left, right):
        if side[0].isalpha() or side[0] == "_":
            if side not in known:
                raise ConfigError(f"--constraint {text!r}: unknown parameter {side}")
            sides.append(side)
        else:
            sides.append(_number(side))
    return Constraint(text.strip(), sides[0], op, sides[1])


def _number(text: str) -> Number:
    text = text.strip()
    try:
        return int(text)
    except ValueError:
        return float(text)


def _tidy(value: Number) -> Number:
    return round(value, 10) if isinstance(value, float) else value
