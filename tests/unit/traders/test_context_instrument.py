"""A trader with an instrument: sized in its lots, refused below its lot or minimum notional."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal as D

from tests.unit.factories import bars_from_closes
from tradestack.domain.commands import SubmitOrder
from tradestack.domain.enums import OrderSide, OrderStatus, OrderType
from tradestack.domain.instruments import Instrument
from tradestack.domain.orders import Order
from tradestack.execution.venues.paper import PaperVenue
from tradestack.portfolio.ledger import Portfolio
from tradestack.risk.rules import RiskLimits
from tradestack.strategy.registry import create_strategy
from tradestack.traders.context import Sizing, TraderContext

CLOSES = [10, 10, 10, 9, 8, 9, 11, 12, 11, 9, 8, 8]
TS = datetime(2024, 1, 1, tzinfo=UTC)


def make(instrument: Instrument, cash: str = "1000", lot: str = "0.0001") -> TraderContext:
    portfolio = Portfolio("alice", cash=D(cash))
    venue = PaperVenue(
        fee_rate=D("0.001"),
        cash=lambda: portfolio.cash,
        holdings=portfolio.quantity,
        instrument=instrument,
    )
    return TraderContext(
        trader_id="alice",
        strategy=create_strategy("sma_cross", {"fast": 2, "slow": 3}),
        portfolio=portfolio,
        venue=venue,
        risk_limits=RiskLimits(max_position_size_usd=D(1_000_000)),
        sizing=Sizing(allocation=D(1), lot_size=D(lot), fee_rate=D("0.001")),
        instrument=instrument,
    )


def symbol_of_bars() -> str:
    return bars_from_closes(CLOSES)[0].symbol


def test_entries_are_sized_in_the_instruments_lots() -> None:
    # The sizing lot (0.0001) is finer than the instrument's (0.5): the instrument wins.
    ctx = make(Instrument.of(symbol_of_bars(), tick_size=D("0.01"), lot_size=D("0.5")))
    steps = [ctx.on_bar(b) for b in bars_from_closes(CLOSES)]
    (entry,) = steps[7].fills
    # 1000 / (11 * 1.001) = 90.8... -> 90.5 in lots of 0.5.
    assert entry.quantity == D("90.5") and entry.quantity % D("0.5") == 0


def test_an_entry_below_the_minimum_notional_is_refused_with_the_reason() -> None:
    instrument = Instrument.of(symbol_of_bars(), lot_size=D(1), min_notional=D(2000))
    ctx = make(instrument)
    steps = [ctx.on_bar(b) for b in bars_from_closes(CLOSES)]
    ((order, decision),) = steps[6].risk_rejections
    assert order.status is OrderStatus.REJECTED and decision.rule == "instrument"
    assert "below the minimum 2000" in (decision.reason or "")
    assert not any(s.fills for s in steps)


def test_a_placed_order_below_one_lot_is_refused() -> None:
    ctx = make(Instrument.of(symbol_of_bars(), lot_size=D("0.01")))
    ctx.on_bar(bars_from_closes(CLOSES)[0])
    command = SubmitOrder(
        trader_id="alice", symbol=symbol_of_bars(), side=OrderSide.BUY, quantity=D("0.001")
    )
    order, decision = ctx.place(command, TS)
    assert not decision.approved and order.status is OrderStatus.REJECTED
    assert "below the lot size 0.01" in (decision.reason or "")


def test_the_paper_venue_refuses_an_order_off_the_lot_grid() -> None:
    instrument = Instrument.of("BTC/USDT", tick_size=D("0.01"), lot_size=D("0.001"))
    portfolio = Portfolio("bob", cash=D(10_000))
    venue = PaperVenue(
        cash=lambda: portfolio.cash, holdings=portfolio.quantity, instrument=instrument
    )
    order = Order(
        client_order_id="bob-1",
        trader_id="bob",
        symbol="BTC/USDT",
        side=OrderSide.BUY,
        type=OrderType.MARKET,
        quantity=D("0.0015"),
        created_at=TS,
        updated_at=TS,
    )
    result = venue.submit(order)
    assert not result.accepted and "not a multiple of the lot size 0.001" in (result.reason or "")
