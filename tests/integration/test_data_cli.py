"""``tradestack data ...`` in-process on SQLite: the commands a user chains, and their errors."""

from __future__ import annotations

import logging
import re
import sys
from pathlib import Path

import pytest

from tradestack.cli.main import main


class Cli:
    def __init__(self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
        self.capsys = capsys
        self.monkeypatch = monkeypatch

    def __call__(self, *args: str, fails: bool = False) -> tuple[str, str]:
        self.monkeypatch.setattr(sys, "argv", ["tradestack", "data", *args])
        with pytest.raises(SystemExit) as exit_:
            main()
        out, err = self.capsys.readouterr()
        assert bool(exit_.value.code) == fails, err
        return out, err


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Cli:
    monkeypatch.setenv("TRADESTACK_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("TRADESTACK_DATA__LIVE_POLL_S", "0.02")
    return Cli(capsys, monkeypatch)


def test_a_series_from_download_to_archive_and_back(
    cli: Cli, caplog: pytest.LogCaptureFixture
) -> None:
    out, _ = cli("download", "-s", "ETH/USDT", "--start", "2d", "--provider", "synthetic")
    assert re.search(r"28(79|80) new, 0 already stored", out)
    assert "no gaps (24/7)" in cli("gaps", "-s", "ETH/USDT")[0]
    assert "into 1h" in cli("resample", "-s", "ETH/USDT", "--from", "1m", "--to", "1h")[0]
    out, _ = cli("archive", "--older-than", "1d", "-s", "ETH/USDT", "-t", "1m")
    assert "verified before delete" in out and re.search(r"archived 14\d\d bars", out)
    out, _ = cli("show", "-s", "ETH/USDT", "--start", "2d", "--limit", "3", "-i", "ema_3")
    assert "3 of these bars were read from the archive" in out and "ema_3" in out
    assert re.search(r"restored 14\d\d bars", cli("restore-archive")[0])
    caplog.set_level(logging.WARNING)
    out, _ = cli("live", "-s", "SOL/USDT", "--bars", "1", "--force", "--reason", "fire drill")
    assert re.search(r"published \d+ live bar", out)
    assert "force-started (fire drill); backfill incomplete for: SOL/USDT 1m" in caplog.text


def test_fill_gaps_fetches_only_the_holes(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "holes.csv"
    days = "".join(f"2024-01-{day:02d},1,2,0.5,1.5,1\n" for day in (1, 2, 5, 8))
    path.write_text("Date,Open,High,Low,Close,Volume\n" + days)
    assert "4 new" in cli("import", str(path), "-s", "X/USD", "-t", "1d")[0]
    out, _ = cli("gaps", "-s", "X/USD", "-t", "1d", "--calendar", "weekdays")
    assert "1 gap(s), 2 missing bar(s)" in out  # Wednesday and Thursday; weekends are closed
    fill = ("--fill-gaps", "--provider", "synthetic", "--calendar", "weekdays")
    out, _ = cli("backfill", "-s", "X/USD", "-t", "1d", *fill)
    assert "fetched 2, stored 2; 0 still missing" in out


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("gaps", "--calendar", "sessions UTC mon-fri 9-5"), "invalid time '9'"),
        (("show", "-i", "ema_20,nope"), "unknown indicator 'nope'"),
        (("archive", "--older-than", "soon"), "expected a duration"),
        (("download", "--provider", "carrier-pigeon"), "unknown data provider"),
        (("download", "--provider", "ccxt", "--exchange", "nosuchx"), "unknown ccxt exchange"),
        (("import", "none.parquet", "-s", "X", "-t", "1m"), "cannot read none.parquet"),
        (("import", "x.csv", "-s", "X", "-t", "1m", "--column", "close"), "expected ours=theirs"),
    ],
)
def test_bad_inputs_are_one_line_errors(cli: Cli, args: tuple[str, ...], fragment: str) -> None:
    _, err = cli(*args, fails=True)
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and fragment in lines[0], err
