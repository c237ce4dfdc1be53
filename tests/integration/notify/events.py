"""Events as the trading path publishes them, for notification tests."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from tradestack.bus.memory import InMemoryBus
from tradestack.domain.enums import OrderSide, OrderStatus, OrderType
from tradestack.domain.orders import Order
from tradestack.execution.order_manager import OrderChange
from tradestack.risk.rules import RiskDecision
from tradestack.traders.context import TraderStep
from tradestack.traders.journal import publish_step

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)


def order(status: OrderStatus, reason: str | None = None) -> Order:
    return Order(
        client_order_id=f"alice-{status.value.lower()}",
        trader_id="alice",
        symbol="BTC/USDT",
        side=OrderSide.BUY,
        type=OrderType.MARKET,
        quantity=Decimal("0.5"),
        status=status,
        filled_quantity=Decimal("0.5") if status is OrderStatus.FILLED else Decimal(0),
        average_fill_price=Decimal("100.5") if status is OrderStatus.FILLED else None,
        reason=reason,
        created_at=T0,
        updated_at=T0,
    )


async def trade_reject_and_breach(bus: InMemoryBus) -> None:
    """A fill, a venue rejection and a risk rejection, published by the journal."""
    filled = order(OrderStatus.FILLED)
    rejected = order(OrderStatus.REJECTED, "insufficient funds")
    step = TraderStep(
        bar=None,
        order_changes=[
            OrderChange(filled, OrderStatus.SUBMITTED, OrderStatus.FILLED, None),
            OrderChange(rejected, OrderStatus.NEW, OrderStatus.REJECTED, "insufficient funds"),
        ],
        risk_rejections=[
            (rejected, RiskDecision(False, "max_position_size", "position 2000 above 1000"))
        ],
    )
    await publish_step(bus, step, trader_id="alice")
