"""The reliability suite at full size, as a table: what is injected, what must hold, the counts.

The scenarios are the ones ``tests/reliability`` runs at CI sizes
(``bench/reliability_cases``); here short commands are real processes too.

Run: ``python -m bench.reliability [--quick] [--only 1,4,7]``; ``--quick`` uses
the test sizes. Needs root for the disk-full scenario (a tmpfs mount), and
PostgreSQL plus redis-server and nats-server binaries for the services one.
"""

from __future__ import annotations

import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench.reliability_cases import (
    auth,
    backup,
    bad_input,
    canary,
    disk_full,
    schema_fuzz,
    services,
    sigkill,
)
from bench.reliability_cases.outcome import Outcome

Scenario = Callable[[Path], Outcome]


def scenarios(quick: bool) -> dict[str, Scenario]:
    """Number -> scenario at full size (or the tests' sizes with ``quick``)."""
    return {
        "1": lambda d: sigkill.run(d, kills=3 if quick else 20),
        "2a": lambda d: services.run(
            d, bus="redis", broker_down_s=3 if quick else 10, one_at_a_time=not quick
        ),
        "2b": lambda d: services.run(
            d, bus="nats", broker_down_s=3 if quick else 10, one_at_a_time=not quick
        ),
        "3": lambda d: disk_full.run(
            d,
            backfill_bars=60_000 if quick else 200_000,
            size_mb=2 if quick else 4,
            full_s=3 if quick else 10,
        ),
        "4": lambda d: backup.run(d, bars=1_500 if quick else 50_000),
        "5": lambda d: canary.run(d, seconds=2 if quick else 15),
        "6": lambda d: schema_fuzz.run(
            d,
            examples=4 if quick else 25,
            phases="fuzzing" if quick else "examples,coverage,fuzzing",
        ),
        "7": lambda d: auth.run(d, burst=300),
        "8": lambda d: bad_input.run(d),
    }


def _option(name: str) -> str | None:
    if name in sys.argv:
        index = sys.argv.index(name)
        return sys.argv[index + 1] if index + 1 < len(sys.argv) else None
    return None


def run_all(*, quick: bool, only: set[str] | None = None) -> list[tuple[Outcome, float]]:
    results: list[tuple[Outcome, float]] = []
    for number, scenario in scenarios(quick).items():
        if only and number not in only and number.rstrip("ab") not in only:
            continue
        started = time.monotonic()
        with tempfile.TemporaryDirectory(prefix=f"reliability-{number}-") as tmp:
            try:
                outcome = scenario(Path(tmp))
            except Exception as error:  # a scenario that cannot finish is a result too
                outcome = Outcome(scenario=f"{number} (crashed)", injected="-", must_hold="-")
                outcome.failures.append(f"{type(error).__name__}: {error}")
                traceback.print_exc()
        results.append((outcome, time.monotonic() - started))
        print(f"  scenario {number}: {'ok' if outcome.ok else 'FAILED'}", file=sys.stderr)
    return results


def print_outcomes(results: list[tuple[Outcome, float]]) -> None:
    table = Table(title="reliability: injected faults and what held", show_lines=True)
    for column in ("scenario", "injected", "must hold", "measured", "recovery", "held", "s"):
        table.add_column(column, overflow="fold")
    for outcome, seconds in results:
        held = "yes" if outcome.ok else ("skipped" if outcome.skipped else "NO")
        measured = outcome.measured()
        if outcome.skipped:
            measured = f"skipped: {outcome.skipped}"
        elif outcome.failures:
            measured += "; FAILED: " + "; ".join(outcome.failures[:3])
        table.add_row(
            outcome.scenario,
            outcome.injected,
            outcome.must_hold,
            measured,
            outcome.recovery(),
            held,
            f"{seconds:.0f}",
        )
    Console(width=200).print(table)


def main(*, quick: bool = False) -> None:
    only_text = _option("--only")
    only = set(only_text.split(",")) if only_text else None
    print_outcomes(run_all(quick=quick or "--quick" in sys.argv, only=only))


if __name__ == "__main__":
    main()
