from datetime import UTC, datetime
from pathlib import Path

import pytest

from tradestack.errors import DataImportError
from tradestack.marketdata.csv_import import read_csv_bars


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bars.csv"
    path.write_text(text)
    return path


def test_reads_columns_by_name_in_any_case_and_order(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "Close,Date,Open,High,Low,Volume\n"
        "1.5,2024-01-01T01:00:00Z,1,2,0.5,10\n"
        "1.6,1704067200,1.5,1.7,1.4,11\n",
    )
    bars = read_csv_bars(path, symbol="GOOG", timeframe="1h")
    assert [b.ts for b in bars] == [
        datetime(2024, 1, 1, 0, tzinfo=UTC),
        datetime(2024, 1, 1, 1, tzinfo=UTC),
    ]
    assert bars[1].close == 1.5 and bars[0].volume == 11


def test_offset_timestamps_are_converted_to_utc(tmp_path: Path) -> None:
    path = write(
        tmp_path, "timestamp,open,high,low,close,volume\n2024-01-01T09:00:00+09:00,1,2,0.5,1.5,10\n"
    )
    assert read_csv_bars(path, symbol="X", timeframe="1h")[0].ts == datetime(
        2024, 1, 1, 0, tzinfo=UTC
    )


def test_every_bad_row_is_reported_by_line_number(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "timestamp,open,high,low,close,volume\n"
        "2024-01-01T00:00:00,1,2,0.5,1.5,10\n"
        "2024-01-01T01:00:00,1,2,0.5,abc,10\n"
        "2024-01-01T02:00:00,1,0.9,0.5,1.5,10\n"
        "2024-01-01T03:00:00,1,2,0.5,1.5,-1\n"
        "not-a-date,1,2,0.5,1.5,1\n"
        "2024-01-01T04:30:00,1,2,0.5,1.5,1\n"
        "2024-01-01T00:00:00,1,2,0.5,1.5,10\n",
    )
    with pytest.raises(DataImportError) as caught:
        read_csv_bars(path, symbol="X", timeframe="1h")
    message = str(caught.value)
    assert "6 bad row(s), nothing imported" in message
    for fragment in (
        "line 3: close 'abc'",
        "line 4: high",
        "line 5: volume",
        "line 6: timestamp",
        "line 7: timestamp",
        "line 8: duplicate",
    ):
        assert fragment in message


def test_missing_column_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, "timestamp,open,high,low,close\n2024-01-01,1,2,0.5,1.5\n")
    with pytest.raises(DataImportError, match="missing column.*volume"):
        read_csv_bars(path, symbol="X", timeframe="1d")


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DataImportError, match="cannot read"):
        read_csv_bars(tmp_path / "absent.csv", symbol="X", timeframe="1d")
