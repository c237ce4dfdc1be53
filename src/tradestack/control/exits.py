"""Force-exit: close a trader's position with a market order through the ordinary order path.

The order is a ``SubmitOrder`` like any other (risk check, order manager,
venue), marked reduce-only so it can never open or flip a position.
"""

from __future__ import annotations

from tradestack.domain.commands import SubmitOrder
from tradestack.domain.enums import OrderSide
from tradestack.domain.orders import Order
from tradestack.errors import ConflictError
from tradestack.portfolio.queries import find_positions
from tradestack.storage.database import Database
from tradestack.traders.control import TraderControl


async def force_exit(
    db: Database, traders: TraderControl, *, trader_id: str, symbol: str
) -> list[Order]:
    """Send one reduce-only market order per open side of ``symbol``; return the orders.

    Raises
    ------
    ConflictError
        The trader holds no position in ``symbol`` (or does not run: from ``submit_order``).
    """
    positions = [
        p
        for p in await find_positions(db, trader_id=trader_id, open_only=True)
        if p.symbol == symbol and p.quantity != 0
    ]
    if not positions:
        raise ConflictError(f"trader {trader_id!r} holds no {symbol} position to exit")
    orders = []
    for position in positions:
        command = SubmitOrder(
            trader_id=trader_id,
            symbol=symbol,
            side=OrderSide.SELL if position.quantity > 0 else OrderSide.BUY,
            quantity=abs(position.quantity),
            reduce_only=True,
            position_side=position.position_side,
        )
        orders.append(await traders.submit_order(command))
    return orders
