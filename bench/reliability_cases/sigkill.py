"""Scenario 1: SIGKILL ``tradestack run`` at random moments while it trades, restart each time.

What must hold afterwards: no order or fill twice, positions and cash equal to
a replay of the stored fills, and no bar stored twice.
"""

from __future__ import annotations

import random
import time
from decimal import Decimal
from pathlib import Path

import httpx

from bench.reliability_cases.outcome import Outcome
from bench.reliability_cases.process import (
    FAST_TRADING,
    cli_env,
    free_port,
    healthy,
    interrupt,
    kill,
    spawn,
    sqlite_rows,
    wait_for,
)

STARTING_CASH = Decimal(10_000)


def _filled(base: str) -> int:
    page = httpx.get(f"{base}/orders", params={"status": "FILLED", "limit": 1000}, timeout=5)
    return len(page.json()["items"])


def run(workdir: Path, *, kills: int = 20, seed: int = 12) -> Outcome:
    """Kill the process ``kills`` times at random moments 0.2-2.5 s after it is healthy."""
    outcome = Outcome(
        scenario="1 crash while trading",
        injected=f"SIGKILL of tradestack run x{kills}, restart",
        must_hold="no order/fill/bar twice; positions and cash == replay of fills",
    )
    home = workdir / "home"
    port = free_port()
    base = f"http://127.0.0.1:{port}/api/v1"
    env = cli_env(
        home,
        TRADESTACK_API_PORT=str(port),
        TRADESTACK_RUN__REPLAY_INTERVAL_S="0.02",
        **FAST_TRADING,
    )
    log = workdir / "run.log"
    chance = random.Random(seed)
    process = spawn(["run"], env, workdir, log)
    try:
        wait_for(lambda: healthy(base), 90, "the first start")
        wait_for(lambda: _filled(base), 90, "a first filled order")
        for _ in range(kills):
            time.sleep(chance.uniform(0.2, 2.5))
            kill(process)
            started = time.monotonic()
            process = spawn(["run"], env, workdir, log)
            wait_for(lambda: healthy(base), 90, "health after a SIGKILL")
            outcome.recovery_s.append(time.monotonic() - started)
        time.sleep(1.0)
    finally:
        code = interrupt(process)
    outcome.expect(code == 0, f"the last clean stop exited {code}")
    text = log.read_text(errors="replace")
    outcome.expect("Traceback" not in text, "a traceback in the log")
    _check_database(home / "tradestack.db", outcome)
    return outcome


def _check_database(db: Path, outcome: Outcome) -> None:
    orders = sqlite_rows(db, "SELECT count(*) FROM orders")[0][0]
    per_bar = sqlite_rows(
        db,
        "SELECT count(*) FROM (SELECT 1 FROM orders GROUP BY trader_id, symbol, created_at"
        " HAVING count(*) > 1)",
    )[0][0]
    overfilled = sqlite_rows(
        db,
        "SELECT o.client_order_id, o.quantity, group_concat(f.quantity, ' ') FROM orders o"
        " JOIN fills f USING (client_order_id) GROUP BY o.client_order_id",
    )
    duplicate_fills = sum(
        1 for _id, quantity, parts in overfilled if _sum(str(parts)) > Decimal(str(quantity))
    )
    fills = sqlite_rows(db, "SELECT count(*) FROM fills")[0][0]
    bars, distinct = sqlite_rows(
        db, "SELECT count(*), count(DISTINCT symbol || timeframe || ts) FROM bars"
    )[0]
    matches = _positions_match_replay(db, outcome)
    outcome.counts.update(
        {
            "orders": orders,
            "fills": fills,
            "duplicate orders": per_bar,
            "duplicate fills": duplicate_fills,
            "duplicate bars": bars - distinct,
            "positions==replay": matches,
        }
    )
    outcome.expect(orders > 0 and fills > 0, "no order was filled")
    outcome.expect(per_bar == 0, f"{per_bar} bars produced a second order")
    outcome.expect(duplicate_fills == 0, f"{duplicate_fills} orders filled more than once")
    outcome.expect(bars == distinct, f"{bars - distinct} bars stored twice")


def _sum(parts: str) -> Decimal:
    return sum((Decimal(part) for part in parts.split()), Decimal(0))


def _positions_match_replay(db: Path, outcome: Outcome) -> bool:
    """Replay the stored fills into quantities and cash and compare with what is stored."""
    quantity: dict[tuple[str, str], Decimal] = {}
    cash: dict[str, Decimal] = {}
    for trader, symbol, side, qty, price, fee in sqlite_rows(
        db, "SELECT trader_id, symbol, side, quantity, price, fee FROM fills ORDER BY ts, trade_id"
    ):
        signed = Decimal(str(qty)) if side == "BUY" else -Decimal(str(qty))
        key = (str(trader), str(symbol))
        quantity[key] = quantity.get(key, Decimal(0)) + signed
        cash[str(trader)] = (
            cash.get(str(trader), STARTING_CASH) - signed * Decimal(str(price)) - Decimal(str(fee))
        )
    stored = {
        (str(t), str(s)): Decimal(str(q))
        for t, s, q in sqlite_rows(db, "SELECT trader_id, symbol, quantity FROM positions")
    }
    ok = True
    for key, replayed in quantity.items():
        if stored.get(key, Decimal(0)) != replayed:
            outcome.failures.append(f"position {key}: stored {stored.get(key)} != {replayed}")
            ok = False
    balances = {
        str(t): Decimal(str(free)) + Decimal(str(locked))
        for t, free, locked in sqlite_rows(
            db, "SELECT trader_id, free, locked FROM balances WHERE asset = 'USDT'"
        )
    }
    for trader, replayed in cash.items():
        if trader not in balances or abs(balances[trader] - replayed) > Decimal("0.000001"):
            stored_cash = balances.get(trader)
            outcome.failures.append(f"cash of {trader}: stored {stored_cash} != {replayed}")
            ok = False
    return ok
