"""Scenario 5: canary secrets in the environment never appear anywhere a person or a log sees.

An exchange key and secret and a Telegram token are set; the Telegram API is a
local stub that fails every poll, so error paths (which like to print URLs,
and the bot token is part of Telegram's URL) run too. Then the scenario
searches the run's log, every GET answer of the API, ``config show``, every
table of the database (the events table is the event bus's audit sink) and
the process' own files for the canaries.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

from bench.reliability_cases.auth import _fill
from bench.reliability_cases.outcome import Outcome
from bench.reliability_cases.process import free_port, sqlite_rows
from bench.reliability_cases.running import platform

KEY = "CANARYKEYa1b2c3d4e5"
SECRET = "CANARYSECRETf6g7h8i9j0"
BOT_TOKEN = "123456789:CANARYTOKENk1l2m3n4o5p6"
CANARIES = (KEY, SECRET, BOT_TOKEN, BOT_TOKEN.split(":", 1)[1])


class _TelegramStub(BaseHTTPRequestHandler):
    """Answers getMe, fails everything else with 502: the error paths must stay quiet too."""

    calls_with_token = 0

    def _answer(self) -> None:
        if BOT_TOKEN in self.path:
            type(self).calls_with_token += 1
        length = int(self.headers.get("content-length") or 0)
        self.rfile.read(length)
        if self.path.endswith("/getMe"):
            status = 200
            body = {
                "ok": True,
                "result": {"id": 1, "is_bot": True, "first_name": "stub", "username": "stub_bot"},
            }
        else:
            status, body = 502, {"ok": False, "error_code": 502, "description": "Bad Gateway"}
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _answer

    def log_message(self, format: str, *args: object) -> None:
        return


def _leaks(text: str) -> int:
    return sum(text.count(canary) for canary in CANARIES)


def run(workdir: Path, *, seconds: float = 6.0) -> Outcome:
    outcome = Outcome(
        scenario="5 canary secrets",
        injected="exchange key+secret, Telegram token in env; Telegram API failing",
        must_hold="0 occurrences in logs, API, config show, database, event bus",
    )
    stub_port = free_port()
    stub = ThreadingHTTPServer(("127.0.0.1", stub_port), _TelegramStub)
    threading.Thread(target=stub.serve_forever, daemon=True).start()
    secrets = {
        "TRADESTACK_EXCHANGE_API_KEY": KEY,
        "TRADESTACK_EXCHANGE_API_SECRET": SECRET,
        "TRADESTACK_CCXT__API_SECRET": SECRET,
        "TRADESTACK_TELEGRAM__TOKEN": BOT_TOKEN,
        "TRADESTACK_TELEGRAM__ALLOWED_CHAT_IDS": "[1]",
        "TRADESTACK_TELEGRAM__BASE_URL": f"http://127.0.0.1:{stub_port}/bot",
        "TRADESTACK_NOTIFY__CHANNELS": '["log", "telegram"]',
    }
    found: dict[str, int] = {}
    try:
        with platform(workdir, **secrets) as running:
            running.wait_filled()
            admin = running.token("auditor", "admin")
            time.sleep(seconds)
            found["API answers"] = _scan_api(running.root, admin)
            shown = running.cli("config", "show")
            shown_json = running.cli("config", "show", "--json")
            found["config show"] = _leaks(shown.stdout + shown.stderr + shown_json.stdout)
            outcome.expect(shown.returncode == 0, f"config show failed: {shown.stderr}")
            code = running.stop()
            outcome.expect(code == 0, f"run exited {code}")
        found["log + tracebacks"] = _leaks(running.log.read_text(errors="replace"))
        db = running.home / "tradestack.db"
        found["database"], found["event bus (events)"], events = _scan_database(db)
        outcome.expect(events > 0, "the events table (audit sink) is empty")
        found["files in home"] = sum(
            _leaks(path.read_bytes().decode("latin-1"))
            for path in running.home.rglob("*")
            if path.is_file()
        )
    finally:
        stub.shutdown()
        stub.server_close()
    calls = _TelegramStub.calls_with_token
    outcome.expect(calls > 0, "the Telegram stub was never called with the token")
    total = sum(found.values())
    outcome.counts["Telegram calls with the token"] = calls
    outcome.counts.update({f"in {where}": count for where, count in found.items()})
    outcome.expect(total == 0, f"canaries found: {found}")
    return outcome


def _scan_api(root: str, admin: str) -> int:
    """GET every parameter-free path of the OpenAPI document, with and without the token."""
    leaks = 0
    with httpx.Client(base_url=root, timeout=15) as client:
        document = client.get("/openapi.json")
        leaks += _leaks(document.text)
        paths = [
            path for path, operations in document.json()["paths"].items() if "get" in operations
        ]
        for path in paths:
            for headers in ({}, {"Authorization": f"Bearer {admin}"}):
                answer = client.get(_fill(path), headers=headers)
                leaks += _leaks(answer.text) + _leaks(str(answer.headers))
    return leaks


def _scan_database(db: Path) -> tuple[int, int, int]:
    """Return canaries in all tables, canaries in the events table, and the events' count."""
    tables = [
        str(row[0]) for row in sqlite_rows(db, "SELECT name FROM sqlite_master WHERE type='table'")
    ]
    in_tables = 0
    in_events = 0
    for table in tables:
        text = json.dumps(sqlite_rows(db, f'SELECT * FROM "{table}"'), default=str)
        count = _leaks(text)
        in_tables += count
        if table == "events":
            in_events = count
    events = int(sqlite_rows(db, "SELECT count(*) FROM events")[0][0])  # type: ignore[arg-type]
    return in_tables, in_events, events
