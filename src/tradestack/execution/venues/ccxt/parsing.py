"""Turn ccxt's unified order, trade and balance dicts into our Decimal-typed snapshots."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from tradestack.domain.enums import OrderSide
from tradestack.execution.venues.live import VenueBalance, VenueFill, VenueOrder, VenueOrderState

ZERO = Decimal(0)
_STATES = {state.value: state for state in VenueOrderState}


def decimal(value: Any, default: Decimal | None = ZERO) -> Decimal | None:
    """Convert a ccxt number (float, int or str) exactly as printed, or return ``default``."""
    if value is None or value == "":
        return default
    return Decimal(str(value))


def timestamp(value: Any) -> datetime | None:
    return datetime.fromtimestamp(int(value) / 1000, UTC) if value is not None else None


def order_state(raw: dict[str, Any]) -> VenueOrderState:
    """Map ccxt's status; an order without one (an acknowledgement) is taken as open."""
    status = raw.get("status")
    if status in (None, "canceling"):
        return VenueOrderState.OPEN if status is None else VenueOrderState.CANCELED
    return _STATES.get(str(status), VenueOrderState.OPEN)


def to_venue_order(raw: dict[str, Any], client_order_id: str | None, ours: bool) -> VenueOrder:
    return VenueOrder(
        venue_order_id=str(raw.get("id")),
        client_order_id=client_order_id,
        symbol=str(raw.get("symbol")),
        side=OrderSide(str(raw.get("side") or "buy").upper()),
        order_type=str(raw.get("type") or ""),
        quantity=decimal(raw.get("amount")) or ZERO,
        filled_quantity=decimal(raw.get("filled")) or ZERO,
        price=decimal(raw.get("price"), None),
        state=order_state(raw),
        ts=timestamp(raw.get("timestamp")),
        ours=ours,
    )


def to_venue_fill(raw: dict[str, Any], client_order_id: str | None) -> VenueFill:
    fee = raw.get("fee") or {}
    return VenueFill(
        trade_id=str(raw.get("id")),
        venue_order_id=str(raw.get("order")),
        client_order_id=client_order_id,
        symbol=str(raw.get("symbol")),
        side=OrderSide(str(raw.get("side")).upper()),
        quantity=decimal(raw.get("amount")) or ZERO,
        price=decimal(raw.get("price")) or ZERO,
        fee=decimal(fee.get("cost")) or ZERO,
        fee_asset=str(fee.get("currency") or ""),
        ts=timestamp(raw.get("timestamp")) or datetime.now(UTC),
        liquidity="maker" if raw.get("takerOrMaker") == "maker" else "taker",
    )


def to_balances(raw: dict[str, Any]) -> dict[str, VenueBalance]:
    free = raw.get("free") or {}
    used = raw.get("used") or {}
    return {
        asset: VenueBalance(asset, decimal(amount) or ZERO, decimal(used.get(asset)) or ZERO)
        for asset, amount in free.items()
    }
