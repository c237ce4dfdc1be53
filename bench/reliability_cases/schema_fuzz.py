"""Scenario 6: schemathesis over the OpenAPI document, without a token and with an admin token.

Every check schemathesis has runs. What must hold: no server error (5xx or a
dropped connection) either way, and no table changes during the run without
a token. Other findings (conformance warnings) are counted and printed.
The platform replays one bar an hour, so nothing but requests changes state.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

from bench.reliability_cases.backup import table_digests
from bench.reliability_cases.outcome import Outcome
from bench.reliability_cases.running import Platform, platform

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
SERVER_ERROR = "ST101"
# Written by the platform itself while it runs, whoever calls: heartbeats, health, progress.
BACKGROUND_TABLES = {"health_events", "events", "schema_backups"}


def fuzz(
    running: Platform, report: Path, *, examples: int, phases: str, token: str | None
) -> dict[str, object]:
    """Run schemathesis with every check and return its JSON report."""
    command = [
        str(SCHEMATHESIS),
        "run",
        f"{running.root}/openapi.json",
        "--checks",
        "all",
        "--max-examples",
        str(examples),
        "--phases",
        phases,
        "--no-shrink",
        "--seed",
        "12",
        "--workers",
        "2",
        "--request-timeout",
        "20",
        "--generation-database",
        "none",
        "--no-color",
        "--report",
        "json",
        "--report-json-path",
        str(report),
    ]
    if token is not None:
        command += ["--header", f"Authorization: Bearer {token}"]
    log = report.with_suffix(".log")
    with log.open("w") as out:
        subprocess.run(
            command,
            cwd=report.parent,  # it keeps a .schemathesis cache in its working directory
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=900,
            check=False,
        )
    if not report.exists():
        raise AssertionError(f"schemathesis wrote no report; see {log}")
    document: dict[str, object] = json.loads(report.read_text())
    return document


def _findings(document: dict[str, object]) -> Counter[str]:
    found: Counter[str] = Counter()
    for failure in document.get("failures", []):  # type: ignore[union-attr]
        found[str(failure["code"])] += int(failure["count"])
    return found


def _errors(document: dict[str, object]) -> tuple[int, int]:
    """Return (connections the server dropped, errors inside schemathesis itself)."""
    dropped = tool = 0
    for error in document.get("errors", []):  # type: ignore[union-attr]
        if "network" in str(error["title"]).lower():
            dropped += int(error["count"])
        else:
            tool += int(error["count"])
    return dropped, tool


def run(workdir: Path, *, examples: int = 30, phases: str = "examples,coverage,fuzzing") -> Outcome:
    outcome = Outcome(
        scenario="6 schemathesis (all checks)",
        injected=f"generated requests, <= {examples} per operation and phase, no token + admin",
        must_hold="0 server errors, 0 state changes without a token",
    )
    with platform(
        workdir,
        TRADESTACK_RUN__REPLAY_INTERVAL_S="3600",
        TRADESTACK_API__RATE_LIMIT_PER_S="0",
        TRADESTACK_API__ANONYMOUS_READ="off",
    ) as running:
        admin = running.token("fuzzer", "admin")
        db = running.home / "tradestack.db"
        before = table_digests(db)
        anonymous = fuzz(
            running, workdir / "anonymous.json", examples=examples, phases=phases, token=None
        )
        after = table_digests(db)
        changed = sorted(
            name for name in before if name not in BACKGROUND_TABLES and before[name] != after[name]
        )
        admin_report = fuzz(
            running, workdir / "admin.json", examples=examples, phases=phases, token=admin
        )
        alive = running.process is not None and running.process.poll() is None
    outcome.expect(alive, "the API process died under the fuzzer")
    for label, document in (("no token", anonymous), ("admin", admin_report)):
        findings = _findings(document)
        cases = document.get("test_cases", {}).get("generated", 0)  # type: ignore[union-attr]
        server_errors = findings.pop(SERVER_ERROR, 0)
        dropped, tool = _errors(document)
        outcome.counts[f"{label}: cases"] = cases
        outcome.counts[f"{label}: server errors"] = server_errors
        outcome.counts[f"{label}: dropped connections"] = dropped
        if tool:
            outcome.counts[f"{label}: schemathesis-internal errors"] = tool
        outcome.counts[f"{label}: other findings"] = (
            " ".join(f"{code}x{count}" for code, count in sorted(findings.items())) or "none"
        )
        outcome.expect(server_errors == 0, f"{label}: {server_errors} server errors")
        outcome.expect(dropped == 0, f"{label}: the server dropped {dropped} connections")
        outcome.expect(int(cases) > 0, f"{label}: schemathesis generated nothing")
    outcome.counts["state changes without a token"] = len(changed)
    outcome.expect(not changed, f"tables changed without a token: {changed}")
    return outcome
