"""Lean plain-float loops: the floor a Python event loop can reach, timed by the benches.

``sma_cross_loop`` is the backtest bench's SMA(10, 30) crossover, long-only,
all-in in whole units at the next bar's open, with cash and position as
floats and no objects at all: what an engineer writes by hand when speed is
all that counts. ``flip_flop_loop`` is the execution bench's bookkeeping (one
signal per bar, sized, risk-checked against the same limits, filled at the
next open, position and cash and average price kept) in plain floats.
Both take the same inputs as tradestack's runs and return what they traded,
so the bench can check both sides agree before it compares their speed.
"""

from __future__ import annotations

import math
from collections import deque


def sma_cross_loop(
    opens: list[float], closes: list[float], cash: float, fast: int = 10, slow: int = 30
) -> tuple[int, float]:
    """Return (round trips, final equity); an open position is closed at the last close."""
    window: deque[float] = deque(maxlen=slow)
    fast_sum = slow_sum = 0.0
    above: bool | None = None
    units = 0.0
    pending = 0  # 1 buy all-in at the next open, -1 sell everything, 0 nothing
    trades = 0
    for open_, close in zip(opens, closes, strict=True):
        if pending:
            if pending > 0:
                units = math.floor(cash / open_)
                cash -= units * open_
            else:
                cash += units * open_
                units = 0.0
                trades += 1
            pending = 0
        if len(window) == slow:
            slow_sum -= window[0]
        if len(window) >= fast:
            fast_sum -= window[-fast]
        window.append(close)
        slow_sum += close
        fast_sum += close
        if len(window) < slow:
            continue
        now = fast_sum * slow > slow_sum * fast
        previous, above = above, now
        if previous is None or previous == now:
            continue
        if now and units == 0:
            pending = 1
        elif not now and units > 0:
            pending = -1
    if units:
        cash += units * closes[-1]
        trades += 1
    return trades, cash


def flip_flop_loop(
    opens: list[float],
    closes: list[float],
    cash: float,
    *,
    lot: float,
    allocation: float,
    max_position_usd: float,
    max_exposure_pct: float,
    max_leverage: float,
    daily_loss_usd: float,
) -> int:
    """Alternate all-in BUY and SELL every bar with the execution bench's risk rules; fills."""
    held = 0.0
    average = 0.0
    realized = 0.0
    day_start = cash
    buy = True
    pending = 0.0  # signed quantity waiting for the next open
    fills = 0
    for open_, close in zip(opens, closes, strict=True):
        if pending:
            cost = pending * open_
            if pending > 0 and cost > cash:
                pending = 0.0  # insufficient funds
            else:
                after = held + pending
                if held == 0 or (held > 0) == (pending > 0):
                    average = (abs(held) * average + abs(pending) * open_) / abs(after)
                else:
                    realized += min(abs(pending), abs(held)) * (open_ - average)
                    average = 0.0 if after == 0 else average
                held = after
                cash -= cost
                fills += 1
                pending = 0.0
        equity = cash + held * close
        if day_start - equity >= daily_loss_usd:
            break
        if buy:
            units = math.floor(cash * allocation / close / lot) * lot if held <= 0 else 0.0
            quantity = -held + units
        else:
            quantity = -max(held, 0.0)
        buy = not buy
        if quantity == 0:
            continue
        after = held + quantity
        if abs(after) > abs(held):  # adds risk: the rules apply
            exposure = abs(after) * close
            if exposure > max_position_usd:
                continue
            if equity > 0 and exposure / equity * 100 > max_exposure_pct:
                continue
            if equity > 0 and exposure / equity > max_leverage:
                continue
        pending = quantity
    return fills
