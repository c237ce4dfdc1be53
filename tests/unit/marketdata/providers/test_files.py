"""CSV and Parquet imports: names, zones, chunks, and every bad row by number."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tradestack.domain.bar_frame import BarFrame
from tradestack.errors import DataImportError
from tradestack.marketdata.providers import files
from tradestack.marketdata.providers.files import FileOptions, FileProvider, read_bar_file

HEADER = "timestamp,open,high,low,close,volume\n"


def read_all(path: Path, timeframe: str = "1m", **options: object) -> BarFrame:
    frames = list(
        read_bar_file(path, symbol="X", timeframe=timeframe, options=FileOptions(**options))  # type: ignore[arg-type]
    )
    return BarFrame.concat(frames)


def minute_rows(count: int, start: int = 1_704_067_200) -> str:
    return "".join(f"{start + 60 * i},1,2,0.5,1.5,{i}\n" for i in range(count))


def test_streams_in_chunks_with_correct_line_numbers_across_chunks(tmp_path: Path) -> None:
    path = tmp_path / "bars.csv"
    rows = minute_rows(25).splitlines(keepends=True)
    rows[17] = "1704068220,1,2,0.5,oops,1\n"  # line 19 of the file
    path.write_text(HEADER + "".join(rows))
    with pytest.raises(DataImportError, match=r"1 bad row\(s\), nothing imported: line 19: close"):
        read_all(path, chunk_rows=4)


def test_bars_arrive_in_order_and_blank_lines_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "bars.csv"
    path.write_text(HEADER + minute_rows(5) + "\n" + minute_rows(5, 1_704_067_500))
    assert read_all(path).volume.tolist() == [0, 1, 2, 3, 4] * 2
    assert read_all(path, chunk_rows=3).volume.tolist() == [0, 1, 2, 3, 4] * 2


def test_a_duplicate_across_chunks_is_reported_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "bars.csv"
    path.write_text(HEADER + minute_rows(6) + minute_rows(1, 1_704_067_260))
    with pytest.raises(DataImportError, match="line 8: duplicate timestamp 2024-01-01T00:01:00"):
        read_all(path, chunk_rows=2)


def test_naive_times_are_read_in_the_given_zone_and_offsets_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "cop.csv"
    path.write_text(
        "Fecha,Apertura,Maximo,Minimo,Cierre,Volumen\n"
        "2024-03-04 08:00:00,3900,3910,3890,3905,1\n"
        "2024-03-04T08:05:00-05:00,3905,3911,3901,3909,2\n"
    )
    columns = {
        "timestamp": "Fecha",
        "open": "Apertura",
        "high": "Maximo",
        "low": "Minimo",
        "close": "Cierre",
        "volume": "Volumen",
    }
    frame = read_all(path, "5m", columns=columns, timezone="America/Bogota")
    assert frame.first_time == datetime(2024, 3, 4, 13, 0, tzinfo=UTC)
    assert frame.ts[1] - frame.ts[0] == 300


def test_a_wall_time_skipped_by_daylight_saving_is_a_bad_row(tmp_path: Path) -> None:
    path = tmp_path / "ny.csv"
    path.write_text(HEADER + "2024-03-10 02:30:00,1,2,0.5,1.5,1\n")
    with pytest.raises(DataImportError, match="line 2: timestamp '2024-03-10 02:30:00'"):
        read_all(path, timezone="America/New_York")


def test_unknown_zone_and_unmapped_column_are_clear_errors(tmp_path: Path) -> None:
    path = tmp_path / "bars.csv"
    path.write_text(HEADER + minute_rows(1))
    with pytest.raises(DataImportError, match="unknown time zone 'Mars/Olympus'"):
        read_all(path, timezone="Mars/Olympus")
    with pytest.raises(DataImportError, match="mapped column 'Px'"):
        read_all(path, columns={"close": "Px"})


def test_parquet_with_timestamp_and_mixed_case_columns(tmp_path: Path) -> None:
    path = tmp_path / "bars.parquet"
    times = pd.date_range("2024-01-01", periods=120, freq="1min", tz="UTC")
    pd.DataFrame(
        {
            "Time": times,
            "Open": np.full(120, 10.0),
            "High": np.full(120, 11.0),
            "Low": np.full(120, 9.0),
            "Close": np.full(120, 10.5),
            "Volume": np.arange(120, dtype=float),
        }
    ).to_parquet(path)
    frame = read_all(path, chunk_rows=50)
    assert len(frame) == 120 and frame.first_time == datetime(2024, 1, 1, tzinfo=UTC)


def test_parquet_bad_rows_are_reported_by_row_number(tmp_path: Path) -> None:
    path = tmp_path / "bars.parquet"
    pd.DataFrame(
        {
            "ts": [1_704_067_200, 1_704_067_260, 1_704_067_290],
            "open": [1.0, 1.0, 1.0],
            "high": [2.0, 0.5, 2.0],
            "low": [0.5, 0.4, 0.5],
            "close": [1.5, 1.5, 1.5],
            "volume": [1.0, 1.0, 1.0],
        }
    ).to_parquet(path)
    with pytest.raises(DataImportError) as caught:
        read_all(path)
    assert "2 bad row(s)" in str(caught.value)
    assert "row 2: high 0.5 is below" in str(caught.value)
    assert "row 3: timestamp 2024-01-01T00:01:30+00:00 is not aligned to 1m" in str(caught.value)


async def test_file_provider_serves_a_time_range(tmp_path: Path) -> None:
    path = tmp_path / "bars.csv"
    path.write_text(HEADER + minute_rows(10))
    provider = FileProvider(path)
    start = datetime(2024, 1, 1, 0, 3, tzinfo=UTC)
    end = datetime(2024, 1, 1, 0, 6, tzinfo=UTC)
    pages = [p async for p in provider.history("X", "1m", start=start, end=end)]
    assert BarFrame.concat(pages).volume.tolist() == [3, 4, 5]
    assert provider.source == "file:bars.csv"


def test_when_the_fast_reader_balks_midway_the_exact_one_finishes_without_repeats(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "bars.csv"
    path.write_text(HEADER + minute_rows(300))
    monkeypatch.setattr(files, "_BLOCK_BYTES", 1024)  # many small batches
    original, calls = files._frame, []

    def balk_on_the_third(*args: object) -> BarFrame:
        calls.append(1)
        if len(calls) == 3:
            raise files._NeedsDiagnosis
        return original(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(files, "_frame", balk_on_the_third)
    frames = list(read_bar_file(path, symbol="X", timeframe="1m"))
    joined = BarFrame.concat(frames)
    assert len(joined) == 300 and len(np.unique(joined.ts)) == 300
