"""What one reliability scenario measured, and whether its invariants held."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field


@dataclass
class Outcome:
    """The figures of one run; ``failures`` names every invariant that did not hold."""

    scenario: str
    injected: str
    must_hold: str
    counts: dict[str, object] = field(default_factory=dict)
    recovery_s: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    skipped: str | None = None

    @property
    def ok(self) -> bool:
        return not self.failures and self.skipped is None

    def expect(self, condition: bool, failure: str) -> None:
        """Record ``failure`` unless ``condition`` holds."""
        if not condition:
            self.failures.append(failure)

    def measured(self) -> str:
        return ", ".join(f"{name} {_show(value)}" for name, value in self.counts.items())

    def recovery(self) -> str:
        if not self.recovery_s:
            return "-"
        worst = max(self.recovery_s)
        if len(self.recovery_s) == 1:
            return f"{worst:.2f} s"
        return f"median {statistics.median(self.recovery_s):.2f} s, max {worst:.2f} s"


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)
