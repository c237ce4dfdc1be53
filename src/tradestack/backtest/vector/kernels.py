"""The compiled position loop: the event-driven rules, restated over arrays.

One pass over the bars mirrors TraderContext + PaperVenue + Portfolio exactly:
a signal at bar i's close creates an order if the all-in quantity at that
close is positive; it fills at bar i+1's open, re-sized all-in at that price,
with ``fee_rate`` on the notional, refused if a buy costs more than the cash
or (long-only) a sell exceeds the holding; at the end an open position is
closed at the last close. Floats here; the event-driven engine is the exact one.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

# Trade columns in the ``trades`` output matrix.
T_DIRECTION, T_ENTRY, T_EXIT, T_ENTRY_PRICE, T_EXIT_PRICE, T_SIZE, T_FEES, T_PNL = range(8)
_EPSILON = 1e-9


@njit(cache=True, nogil=True, inline="always")
def _affordable(cash, held, price, fee_rate, lot):  # pragma: no cover
    budget = cash + held * price
    units = budget / (price * (1.0 + fee_rate))
    lots = math.floor(units / lot + _EPSILON)
    if lots > 0 and lots * lot * price * (1.0 + fee_rate) > budget:
        lots -= 1
    return max(0.0, lots * lot)


@njit(cache=True, nogil=True, inline="always")
def _quantity(signal, cash, held, price, fee_rate, lot, allow_short):  # pragma: no cover
    """Quantity and side (+1 buy, -1 sell) of the order a signal asks for."""
    if signal == 2:
        return abs(held), (-1 if held > 0 else 1)
    if signal == 1:
        if held <= 0:
            return -held + _affordable(cash, held, price, fee_rate, lot), 1
        return 0.0, 1
    quantity = held if held > 0.0 else 0.0
    if allow_short and held >= 0:
        quantity += _affordable(cash, held, price, fee_rate, lot)
    return quantity, -1


@njit(cache=True, nogil=True)
def simulate(opens, closes, signals, start, cash, fee_rate, lot, allow_short):  # pragma: no cover
    """Run the rules from bar ``start``; return equity, position, trades matrix, count, fees."""
    n = closes.shape[0]
    equity = np.empty(n - start)
    position = np.empty(n - start)
    trades = np.empty((np.count_nonzero(signals[start:]) + 2, 8))
    count = 0
    fees = 0.0
    held = 0.0
    pending = 0
    open_direction = 0
    open_entry = 0
    open_price = 0.0
    open_size = 0.0
    open_fees = 0.0
    for i in range(start, n):
        last = i == n - 1
        if pending != 0:
            price = opens[i]
            quantity, side = _quantity(pending, cash, held, price, fee_rate, lot, allow_short)
            pending = 0
            if quantity > 0 and _funds_ok(side, quantity, price, fee_rate, cash, held, allow_short):
                fee = quantity * price * fee_rate
                count, open_direction, open_entry, open_price, open_size, open_fees = _book(
                    trades,
                    count,
                    i - start,
                    side,
                    quantity,
                    price,
                    fee,
                    open_direction,
                    open_entry,
                    open_price,
                    open_size,
                    open_fees,
                )
                cash -= side * quantity * price + fee
                held += side * quantity
                fees += fee
        signal = signals[i]
        if signal != 0 and not last:
            quantity, side = _quantity(signal, cash, held, closes[i], fee_rate, lot, allow_short)
            if quantity > 0:
                pending = signal
        if last and held != 0:
            price = closes[i]
            quantity = abs(held)
            side = -1 if held > 0 else 1
            if _funds_ok(side, quantity, price, fee_rate, cash, held, allow_short):
                fee = quantity * price * fee_rate
                count, open_direction, open_entry, open_price, open_size, open_fees = _book(
                    trades,
                    count,
                    i - start,
                    side,
                    quantity,
                    price,
                    fee,
                    open_direction,
                    open_entry,
                    open_price,
                    open_size,
                    open_fees,
                )
                cash -= side * quantity * price + fee
                held += side * quantity
                fees += fee
        equity[i - start] = cash + held * closes[i]
        position[i - start] = held
    return equity, position, trades[:count], fees


@njit(cache=True, nogil=True, inline="always")
def _funds_ok(side, quantity, price, fee_rate, cash, held, allow_short):  # pragma: no cover
    if side > 0:
        return quantity * price + quantity * price * fee_rate <= cash
    return allow_short or quantity <= held


@njit(cache=True, nogil=True)
def _book(
    trades,
    count,
    index,
    side,
    quantity,
    price,
    fee,
    open_direction,
    open_entry,
    open_price,
    open_size,
    open_fees,
):  # pragma: no cover
    """Account one fill in the trade list (the TradeBook rules)."""
    if open_direction != 0 and open_direction != side:
        closed = min(quantity, open_size)
        exit_fee = fee * closed / quantity
        entry_fee = open_fees if closed == open_size else open_fees * closed / open_size
        row = trades[count]
        row[T_DIRECTION] = open_direction
        row[T_ENTRY] = open_entry
        row[T_EXIT] = index
        row[T_ENTRY_PRICE] = open_price
        row[T_EXIT_PRICE] = price
        row[T_SIZE] = closed
        row[T_FEES] = entry_fee + exit_fee
        row[T_PNL] = (price - open_price) * closed * open_direction - entry_fee - exit_fee
        count += 1
        open_size -= closed
        open_fees -= entry_fee
        quantity -= closed
        fee -= exit_fee
        if open_size == 0:
            open_direction = 0
    if quantity > 0:
        if open_direction == 0:
            open_direction, open_entry, open_price, open_size, open_fees = (
                side,
                index,
                price,
                quantity,
                fee,
            )
        else:
            total = open_size + quantity
            open_price = (open_price * open_size + price * quantity) / total
            open_size = total
            open_fees += fee
    return count, open_direction, open_entry, open_price, open_size, open_fees
