"""Scenario 7: who may do what over the API, checked against every write route the app has.

Missing, garbage, revoked and expired tokens get 401 on each write route, a
viewer 403; a token scoped to one trader cannot see or act on another; a burst
of requests meets 429 with Retry-After while another token is unaffected; an
exposed address with anonymous reads is refused unless explicitly allowed.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx

from bench.reliability_cases.outcome import Outcome
from bench.reliability_cases.process import one_line_error
from bench.reliability_cases.running import Platform, platform

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def write_routes(database_url: str) -> list[tuple[str, str]]:
    """Every (method, path) of the app that changes state, read from the app's own routes.

    The app's OpenAPI document is generated from its routes (FastAPI keeps
    included routers behind private types, so the document is the stable view).
    """
    from tradestack.api.app import build_api
    from tradestack.config.settings import Settings
    from tradestack.kernel import Kernel

    app = build_api(Kernel.build(Settings(database_url=database_url)))
    found = {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        for method in operations
        if method.upper() in WRITE_METHODS
    }
    return sorted(found, key=lambda item: (item[1], item[0]))


def _fill(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "default", path)


def _call(client: httpx.Client, method: str, path: str, token: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    body = {} if method in {"POST", "PUT", "PATCH"} else None
    return client.request(method, _fill(path), headers=headers, json=body)


def run(workdir: Path, *, burst: int = 300) -> Outcome:
    outcome = Outcome(
        scenario="7 auth on every write route",
        injected="no/garbage/revoked/expired tokens, viewer, scoped tokens, a burst",
        must_hold="401/403 everywhere, no cross-trader access, 429 + Retry-After",
    )
    with platform(
        workdir,
        start=False,
        TRADESTACK_API__RATE_LIMIT_PER_S="20",
        TRADESTACK_API__RATE_LIMIT_BURST="100",
        TRADESTACK_API__TOKEN_CACHE_S="0.5",
    ) as running:
        for name in ("alpha", "beta"):
            done = running.cli("trader", "add", name, "--param", "fast=3", "--param", "slow=8")
            outcome.expect(done.returncode == 0, f"trader add {name}: {done.stderr}")
        running.start()
        routes = write_routes(f"sqlite+aiosqlite:///{running.home / 'tradestack.db'}")
        outcome.counts["write routes"] = len(routes)
        outcome.expect(len(routes) >= 8, f"only {len(routes)} write routes found")
        _unauthorised(running, routes, outcome)
        _scoped(running, outcome)
        _burst(running, burst, outcome)
    _exposure(workdir, outcome)
    return outcome


def _unauthorised(running: Platform, routes: list[tuple[str, str]], outcome: Outcome) -> None:
    revoked = running.token("gone", "admin")
    running.cli("token", "revoke", "gone")
    expired = running.token("brief", "admin", "--expires-in", "1s")
    viewer = running.token("watcher", "viewer")
    time.sleep(1.2)
    cases = {
        "missing": None,
        "garbage": "ts_" + "x" * 43,
        "revoked": revoked,
        "expired": expired,
    }
    wrong = 0
    checked = 0
    with httpx.Client(base_url=running.root, timeout=10) as client:
        for method, path in routes:
            for label, token in cases.items():
                answer = _call(client, method, path, token)
                checked += 1
                if answer.status_code != 401:
                    wrong += 1
                    outcome.failures.append(f"{label} {method} {path}: {answer.status_code}")
            answer = _call(client, method, path, viewer)
            checked += 1
            if answer.status_code != 403:
                wrong += 1
                outcome.failures.append(f"viewer {method} {path}: {answer.status_code}")
    outcome.counts["401/403 checks"] = checked
    outcome.counts["wrong answers"] = wrong


def _scoped(running: Platform, outcome: Outcome) -> None:
    """A token for ``alpha`` must neither see nor touch ``beta`` or ``default``."""
    orders = running.wait_filled()
    foreign = next((o for o in orders if o["trader_id"] != "alpha"), None)
    trader = running.token("alpha-desk", "trader", "--trader", "alpha")
    admin = running.token("alpha-admin", "admin", "--trader", "alpha")
    order = {"trader_id": "beta", "symbol": "BTC/USDT", "side": "BUY", "quantity": "0.001"}
    probes: list[tuple[str, str, str, dict[str, object] | None, set[int]]] = [
        (trader, "GET", "/api/v1/traders/beta", None, {404}),
        (trader, "GET", "/api/v1/traders/beta/equity", None, {404}),
        (trader, "GET", "/api/v1/orders?trader_id=beta", None, {403}),
        (trader, "GET", "/api/v1/orders", None, {403}),
        (trader, "GET", "/api/v1/positions?trader_id=beta", None, {403}),
        (trader, "GET", "/api/v1/trades?trader_id=beta", None, {403}),
        (trader, "GET", "/api/v1/analytics/traders/beta", None, {404}),
        (trader, "POST", "/api/v1/orders", order, {403, 404}),
        (admin, "POST", "/api/v1/traders/beta/stop", None, {404}),
        (admin, "POST", "/api/v1/traders/beta/emergency-stop", None, {404}),
        (admin, "DELETE", "/api/v1/traders/beta", None, {404}),
    ]
    if foreign is not None:
        probes.append((trader, "GET", f"/api/v1/orders/{foreign['client_order_id']}", None, {404}))
        probes.append(
            (trader, "DELETE", f"/api/v1/orders/{foreign['client_order_id']}", None, {404})
        )
    refused = 0
    with httpx.Client(base_url=running.root, timeout=10) as client:
        for token, method, path, body, allowed in probes:
            answer = client.request(
                method, path, json=body, headers={"Authorization": f"Bearer {token}"}
            )
            if answer.status_code in allowed:
                refused += 1
            else:
                outcome.failures.append(f"scoped {method} {path}: {answer.status_code}")
        own = client.get(
            "/api/v1/orders",
            params={"trader_id": "alpha"},
            headers={"Authorization": f"Bearer {trader}"},
        )
        outcome.expect(own.status_code == 200, f"scoped token on its own trader: {own.status_code}")
        listed = client.get("/api/v1/traders", headers={"Authorization": f"Bearer {trader}"})
        names = [t["trader_id"] for t in listed.json()] if listed.status_code == 200 else None
        outcome.expect(names == ["alpha"], f"scoped token lists traders {names}")
    beta = httpx.get(f"{running.base}/traders/beta", timeout=5).json()
    outcome.expect(beta.get("status") == "active", f"beta was touched: {beta.get('status')}")
    outcome.counts["cross-trader refused"] = f"{refused}/{len(probes)}"


def _burst(running: Platform, burst: int, outcome: Outcome) -> None:
    noisy = running.token("noisy", "viewer")
    quiet = running.token("quiet", "viewer")
    limited = 0
    retry_after: str | None = None
    with httpx.Client(base_url=running.base, timeout=10) as client:
        for _ in range(burst):
            answer = client.get("/auth/me", headers={"Authorization": f"Bearer {noisy}"})
            if answer.status_code == 429:
                limited += 1
                retry_after = retry_after or answer.headers.get("Retry-After")
        other = client.get("/auth/me", headers={"Authorization": f"Bearer {quiet}"})
    outcome.counts["429 in burst"] = f"{limited}/{burst}"
    outcome.expect(limited > 0, "no 429 in the burst")
    outcome.expect(retry_after is not None and retry_after.isdigit(), "429 without Retry-After")
    outcome.expect(other.status_code == 200, f"another token got {other.status_code}")


def _exposure(workdir: Path, outcome: Outcome) -> None:
    from tradestack.api.security import check_exposure
    from tradestack.config.settings import Settings
    from tradestack.errors import ConfigError

    with platform(workdir / "exposed", start=False) as exposed:
        done = exposed.cli("run", "--host", "0.0.0.0")
    refused = done.returncode != 0 and one_line_error(done.stderr)
    outcome.expect(refused, f"run on 0.0.0.0 with anonymous reads: {done.returncode} {done.stderr}")
    outcome.expect("ALLOW_ANONYMOUS_REMOTE" in done.stderr, "the refusal names the setting")
    allowed = Settings(api_host="0.0.0.0", api={"allow_anonymous_remote": True})
    closed = Settings(api_host="0.0.0.0", api={"anonymous_read": "off"})
    try:
        check_exposure(allowed)
        check_exposure(closed)
        passes = True
    except ConfigError as error:
        passes = False
        outcome.failures.append(f"an allowed exposure was refused: {error}")
    outcome.counts["exposed+anonymous refused"] = refused and passes
