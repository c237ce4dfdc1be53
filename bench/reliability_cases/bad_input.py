"""Scenario 8: bad input of every kind is one clear line, a non-zero exit, and no write.

Each case runs a command that would write to the database (a backfill, a
trader, an import) with one bad ingredient; the database's tables must be
exactly as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bench.reliability_cases.backup import table_digests
from bench.reliability_cases.outcome import Outcome
from bench.reliability_cases.process import cli_env, one_line_error, run_cli

_GOOD_ROW = "2026-01-01T00:0{i}:00Z,100,101,99,100.5,10"
_CSV_HEADER = "timestamp,open,high,low,close,volume"
_LATER = "2026-01-01T00:05:00Z"


@dataclass(frozen=True)
class Case:
    name: str
    args: tuple[str, ...]
    files: dict[str, str]
    must_name: str
    """A word the error line must contain, so the user knows what to fix."""


def _csv(*rows: str) -> str:
    good = [_GOOD_ROW.format(i=i) for i in range(3)]
    return "\n".join([_CSV_HEADER, *good, *rows]) + "\n"


BACKFILL = ("data", "backfill", "--bars", "50", "--config")
IMPORT = ("data", "import", "bars.csv", "--symbol", "ETH/USDT", "--timeframe", "1m")
ADD = ("trader", "add", "newbie")

CASES = [
    Case("malformed YAML", (*BACKFILL, "c.yaml"), {"c.yaml": "risk: [unclosed\n"}, "YAML"),
    Case("config_version 1", (*BACKFILL, "c.yaml"), {"c.yaml": "config_version: 1\n"}, "version"),
    Case(
        "negative risk in file",
        (*BACKFILL, "c.yaml"),
        {"c.yaml": "config_version: 2\nrisk:\n  max_position_size_usd: -5\n"},
        "max_position_size_usd",
    ),
    Case(
        "huge risk in file",
        (*BACKFILL, "c.yaml"),
        {"c.yaml": "config_version: 2\nrisk:\n  max_leverage: 1e30\n"},
        "max_leverage",
    ),
    Case("negative risk override", (*ADD, "--risk", "daily_loss_limit_usd=-1"), {}, "daily_loss"),
    Case("huge risk override", (*ADD, "--risk", "max_leverage=1e30"), {}, "max_leverage"),
    Case("unknown strategy", (*ADD, "--strategy", "no_such_strategy"), {}, "no_such_strategy"),
    Case("wrong parameter type", (*ADD, "--param", "fast=quick"), {}, "fast"),
    Case("negative cash", (*ADD, "--cash", "-100"), {}, "cash"),
    Case("CSV duplicate timestamp", IMPORT, {"bars.csv": _csv(_GOOD_ROW.format(i=2))}, "line"),
    Case("CSV out of order", IMPORT, {"bars.csv": _csv(_GOOD_ROW.format(i=1))}, "line"),
    Case("CSV NaN", IMPORT, {"bars.csv": _csv("2026-01-01T00:05:00Z,nan,101,99,100,1")}, "line"),
    Case("CSV negative price", IMPORT, {"bars.csv": _csv(f"{_LATER},-1,101,-2,1,1")}, "line"),
    Case("CSV high < low", IMPORT, {"bars.csv": _csv(f"{_LATER},100,90,99,95,1")}, "line"),
]


def run(workdir: Path) -> Outcome:
    outcome = Outcome(
        scenario="8 bad input",
        injected=f"{len(CASES)} kinds: YAML, old/invalid config, strategy, params, CSV rows",
        must_hold="one clear line, exit != 0, database unchanged",
    )
    home = workdir / "home"
    env = cli_env(home)
    for args in (("data", "backfill", "--bars", "200"), ("trader", "add", "steady", "--stopped")):
        done = run_cli(*args, env=env, cwd=workdir)
        if done.returncode != 0:
            raise AssertionError(f"{' '.join(args)}: {done.stderr}")
    db = home / "tradestack.db"
    clean = 0
    for case in CASES:
        for name, text in case.files.items():
            (workdir / name).write_text(text)
        before = table_digests(db)
        done = run_cli(*case.args, env=env, cwd=workdir)
        problems = []
        if done.returncode == 0:
            problems.append("exit 0")
        if not one_line_error(done.stderr):
            problems.append(f"not one line: {done.stderr.strip()[:300]!r}")
        elif case.must_name.lower() not in done.stderr.lower():
            problems.append(f"does not name {case.must_name!r}: {done.stderr.strip()!r}")
        if table_digests(db) != before:
            problems.append("the database changed")
        if problems:
            outcome.failures.append(f"{case.name}: {'; '.join(problems)}")
        else:
            clean += 1
    outcome.counts["clear refusals"] = f"{clean}/{len(CASES)}"
    outcome.counts["half-written"] = 0 if not any("changed" in f for f in outcome.failures) else 1
    return outcome
