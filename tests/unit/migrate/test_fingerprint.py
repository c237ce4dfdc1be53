from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from tradestack.migrate.fingerprint import TableFingerprint, canonical, row_hash, row_hashes
from tradestack.storage.tables import orders


def test_equal_values_render_the_same_whatever_the_engine_returned() -> None:
    assert canonical(Decimal("1.5000000000")) == canonical(Decimal("1.5")) == "1.5"
    assert canonical(Decimal("0E-10")) == canonical(Decimal("-0")) == "0"
    assert canonical(Decimal("1E+2")) == "100"
    aware = datetime(2026, 1, 1, 12, tzinfo=UTC)
    assert canonical(aware) == canonical(datetime(2026, 1, 1, 12))
    assert canonical(aware) == canonical(aware.astimezone(timezone(timedelta(hours=2))))
    assert canonical({"b": 1, "a": [1, 2.5]}) == canonical({"a": [1, 2.5], "b": 1})
    assert canonical(None) != canonical("") and canonical(None) != canonical("None")


def test_different_values_render_differently() -> None:
    assert canonical(Decimal("1.5")) != canonical(Decimal("1.50001"))
    assert canonical(0.1 + 0.2) != canonical(0.3)
    assert row_hash(("a", "b")) != row_hash(("ab", ""))


values = st.one_of(
    st.none(),
    st.text(max_size=8),
    st.integers(),
    st.floats(allow_nan=False),
    st.decimals(allow_nan=False, allow_infinity=False, places=4),
    st.datetimes(timezones=st.just(UTC)),
)


@given(st.lists(st.tuples(values, values, values), min_size=1, max_size=30))
def test_batch_hashing_equals_row_by_row_hashing(rows: list[tuple[object, ...]]) -> None:
    assert row_hashes(rows) == [row_hash(row) for row in rows]


@given(st.lists(st.tuples(st.text(max_size=5), st.integers()), max_size=40), st.randoms())
def test_keyed_digest_does_not_depend_on_row_order(rows: list[tuple[object, ...]], rnd) -> None:  # type: ignore[no-untyped-def]
    shuffled = list(rows)
    rnd.shuffle(shuffled)
    first, second = TableFingerprint(table="t"), TableFingerprint(table="t")
    first.add_keyed(rows)
    second.add_keyed(shuffled)
    assert first.digest == second.digest and first.rows == second.rows


@given(st.lists(st.tuples(st.text(max_size=5), values), min_size=1, max_size=40), st.integers(1, 9))
def test_stream_digest_does_not_depend_on_batch_size(
    rows: list[tuple[object, ...]], size: int
) -> None:
    whole, batched = TableFingerprint(table="t"), TableFingerprint(table="t")
    whole.add(rows)
    for start in range(0, len(rows), size):
        batched.add(rows[start : start + size])
    assert whole.digest == batched.digest and whole.rows == batched.rows == len(rows)
    changed = TableFingerprint(table="t")
    changed.add([*rows[:-1], (str(rows[-1][0]) + "x", rows[-1][1])])
    assert changed.digest != whole.digest


def test_sums_cover_numeric_non_key_columns() -> None:
    fingerprint = TableFingerprint.for_table(orders, with_sums=True)
    assert set(fingerprint.sums) == {
        "quantity",
        "price",
        "stop_price",
        "trailing_amount",
        "trailing_percent",
        "filled_quantity",
        "average_fill_price",
    }
