"""Each figure against numbers worked out by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from tradestack.analytics import metrics
from tradestack.domain.enums import OrderSide

D = Decimal
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def test_win_rate_and_profit_factor() -> None:
    pnls = [D(10), D(-5), D(3), D(-2)]
    assert metrics.win_rate(pnls) == 0.5
    # gross profit 13, gross loss 7
    assert metrics.profit_factor(pnls) == pytest.approx(13 / 7)
    assert metrics.win_rate([]) is None
    assert metrics.profit_factor([D(4), D(1)]) is None  # nothing lost: undefined
    assert metrics.win_rate([D(0)]) == 0.0  # break-even is not a win


def test_max_drawdown_takes_the_deepest_fall_from_a_running_peak() -> None:
    # 120 -> 90 falls 30 (25% of 120); 130 -> 104 falls only 26 (20%)
    assert metrics.max_drawdown([D(100), D(120), D(90), D(130), D(104)]) == (D(30), 0.25)
    assert metrics.max_drawdown([D(1), D(2), D(3)]) == (D(0), 0.0)
    assert metrics.max_drawdown([]) == (D(0), 0.0)


def test_sharpe_by_hand() -> None:
    # mean 0.025 / 3 = 0.0083333; deviations 0.0016667, -0.0133333, 0.0116667;
    # sample variance (2.7778e-6 + 1.77778e-4 + 1.36111e-4) / 2 = 1.58333e-4, sd 0.0125831;
    # 0.0083333 / 0.0125831 = 0.662266, times sqrt(365) = 19.10497 -> 12.6525
    assert metrics.sharpe_ratio([0.01, -0.005, 0.02]) == pytest.approx(12.6525, abs=1e-3)
    assert metrics.sharpe_ratio([0.01]) is None
    assert metrics.sharpe_ratio([0.01, 0.01]) is None


def test_returns_and_daily_closes_in_a_time_zone() -> None:
    assert metrics.returns([D(100), D(110), D(99)]) == pytest.approx([0.1, -0.1])
    curve = [
        (datetime(2026, 1, 1, 22, tzinfo=UTC), D(100)),
        (datetime(2026, 1, 1, 23, 30, tzinfo=UTC), D(105)),  # already Jan 2 in Berlin
        (datetime(2026, 1, 2, 12, tzinfo=UTC), D(103)),
    ]
    berlin = metrics.daily_closes(curve, ZoneInfo("Europe/Berlin"))
    assert [(d.isoformat(), v) for d, v in berlin] == [
        ("2026-01-01", D(100)),
        ("2026-01-02", D(103)),
    ]
    assert [v for _, v in metrics.daily_closes(curve, UTC)] == [D(105), D(103)]


def test_exposure_is_the_covered_share_of_the_window() -> None:
    hours = [T0 + timedelta(hours=h) for h in range(11)]
    intervals = [(hours[0], hours[2]), (hours[5], None)]
    # window 1h..10h: covered 1h..2h and 5h..10h = 6 of 9 hours
    assert metrics.exposure(intervals, hours[1], hours[10]) == pytest.approx(6 / 9)
    assert metrics.exposure([], hours[0], hours[1]) == 0.0


def test_slippage_is_positive_when_it_costs() -> None:
    assert metrics.slippage_bps(OrderSide.BUY, D(100), D("100.05")) == pytest.approx(5)
    assert metrics.slippage_bps(OrderSide.SELL, D(100), D("99.9")) == pytest.approx(10)
    assert metrics.slippage_bps(OrderSide.SELL, D(100), D("100.1")) == pytest.approx(-10)
