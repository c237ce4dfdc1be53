import pytest

from tradestack.bus.delivery import RetryPolicy, is_glob, matches
from tradestack.bus.nats_layout import NatsNames


def test_backoff_doubles_and_is_capped() -> None:
    policy = RetryPolicy(max_deliver=5, backoff_s=0.1, max_backoff_s=0.3)
    assert [policy.delay_s(n) for n in (1, 2, 3, 4)] == [0.1, 0.2, 0.3, 0.3]


@pytest.mark.parametrize(
    ("pattern", "event_type", "expected"),
    [
        ("order.*", "order.filled", True),
        ("order.*", "order.partially.filled", True),
        ("order.*", "orders", False),
        ("*", "market.bar", True),
        ("market.bar", "market.bar", True),
    ],
)
def test_patterns_are_globs_where_star_spans_dots(
    pattern: str, event_type: str, expected: bool
) -> None:
    assert matches(pattern, event_type) is expected


@pytest.mark.parametrize(
    ("pattern", "subject"),
    [
        ("order.filled", "ts.events.order.filled"),
        ("order.*", "ts.events.order.>"),
        ("*", "ts.events.>"),
        ("ord*", "ts.events.>"),
        ("market.b?r", "ts.events.market.>"),
    ],
)
def test_nats_filters_cover_every_type_a_pattern_matches(pattern: str, subject: str) -> None:
    assert NatsNames("ts").filter_subject(pattern) == subject
    assert is_glob(pattern) is (pattern != "order.filled")


def test_nats_names_are_safe_for_any_group_name() -> None:
    names = NatsNames("trade-stack")
    assert names.events_stream == "TRADE-STACK_EVENTS"
    assert names.durable("trader:alice") == "trader:alice"
    durable = names.durable("audit.sink v2")
    assert "." not in durable and " " not in durable
    assert durable != names.durable("audit_sink_v2")
    with pytest.raises(ValueError, match="cannot be used in a NATS subject"):
        names.subject("order filled")
