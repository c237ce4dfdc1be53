from datetime import UTC, datetime

import pytest

from tradestack.domain.timeframes import Timeframe, symbol_from_path, symbol_to_path


@pytest.mark.parametrize(
    ("label", "seconds"), [("1m", 60), ("15m", 900), ("4h", 14400), ("1d", 86400), ("1w", 604800)]
)
def test_parse_known_units(label: str, seconds: int) -> None:
    assert Timeframe.parse(label).seconds == seconds


@pytest.mark.parametrize("label", ["", "m", "0m", "-1m", "1x", "1.5h"])
def test_parse_rejects_garbage_with_a_clear_message(label: str) -> None:
    with pytest.raises(ValueError, match="invalid timeframe"):
        Timeframe.parse(label)


def test_floor_aligns_to_bar_open() -> None:
    ts = datetime(2026, 1, 1, 10, 7, 31, tzinfo=UTC)
    assert Timeframe.parse("5m").floor(ts) == datetime(2026, 1, 1, 10, 5, tzinfo=UTC)
    assert Timeframe.parse("5m").is_aligned(datetime(2026, 1, 1, 10, 5, tzinfo=UTC))
    assert not Timeframe.parse("5m").is_aligned(ts)


def test_symbol_path_round_trip() -> None:
    assert symbol_to_path("BTC/USDT") == "BTC-USDT"
    assert symbol_from_path("BTC-USDT") == "BTC/USDT"
    assert symbol_from_path("BTC_USDT") == "BTC/USDT"
    assert symbol_from_path("GOOG") == "GOOG"
