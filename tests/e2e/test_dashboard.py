"""The dashboard in a real browser: candles, indicators and fill markers, closed trades with net
PnL, a trader created from the browser, a backtest started and opened, the live event log."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import TRADESTACK, cli_env, free_port, run_cli
from tests.e2e.test_run import stop, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
# Any pixel of the candle colours (app.js) proves that candles were drawn on a canvas.
COUNT_CANDLE_PIXELS = """() => {
  let found = 0;
  for (const canvas of document.querySelectorAll('#chart canvas')) {
    const context = canvas.getContext('2d');
    if (!context || !canvas.width || !canvas.height) continue;
    const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 0; i < data.length; i += 4) {
      const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
      if ((r === 34 && g === 192 && b === 138) || (r === 240 && g === 85 && b === 106)) found++;
    }
  }
  return found;
}"""


def _browser_or_skip() -> tuple[object, str]:
    """Return playwright's entry point and Debian's Chromium, or skip (fail in CI) saying why."""
    reason = None
    executable = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None  # type: ignore[assignment]
        reason = "the playwright package is not installed (pip install -e '.[dev]')"
    if reason is None and executable is None:
        reason = f"no Chromium at {CHROMIUM} (apt-get install -y chromium)"
    if reason is not None or executable is None:
        message = reason or "no browser"
        if os.environ.get("TRADESTACK_REQUIRE_SERVICES") == "1":
            pytest.fail(message + " (TRADESTACK_REQUIRE_SERVICES=1)")
        pytest.skip(message)
    return sync_playwright, executable


@pytest.fixture
def chromium() -> tuple[object, str]:
    return _browser_or_skip()


@pytest.fixture
def admin_token(home: Path) -> str:
    created = run_cli(
        "token",
        "create",
        "--role",
        "admin",
        "--name",
        "browser",
        env=cli_env(home),
        cwd=home.parent,
    )
    assert created.returncode == 0, created.stderr
    return created.stdout.strip().splitlines()[-1]


@pytest.fixture
def server(home: Path, tmp_path: Path, admin_token: str) -> Iterator[str]:
    port = free_port()
    env = cli_env(
        home,
        TRADESTACK_API_PORT=str(port),
        TRADESTACK_RUN__REPLAY="fast",
        TRADESTACK_RUN__REPLAY_INTERVAL_S="0.1",
        TRADESTACK_RUN__HISTORY_BARS="300",
        TRADESTACK_RUN__TIMEFRAME="1m",
        TRADESTACK_RUN__STRATEGY_PARAMS='{"fast": 3, "slow": 8}',
    )
    log = tmp_path / "run.log"
    process = subprocess.Popen(
        [*TRADESTACK, "run"],
        env=env,
        cwd=home.parent,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: httpx.get(f"{base}/api/v1/health").json(), 60, "health")
        yield base
    finally:
        assert stop(process) == 0, log.read_text()


def test_dashboard_draws_candles_and_takes_live_updates(
    chromium: tuple[object, str], server: str, tmp_path: Path, admin_token: str
) -> None:
    sync_playwright, executable = chromium
    with sync_playwright() as playwright:  # type: ignore[operator]
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1000})
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(server + "/")
            assert page.title() == "tradestack"
            page.wait_for_function(
                "window.tradestack && window.tradestack.candles > 0", timeout=30_000
            )
            assert page.evaluate("window.tradestack.candles") >= 100
            page.wait_for_function(f"({COUNT_CANDLE_PIXELS})() > 100", timeout=10_000)
            first_quote = page.inner_text("#last-quote")
            page.wait_for_function("window.tradestack.liveUpdates >= 2", timeout=30_000)
            page.wait_for_function(
                "q => document.querySelector('#last-quote').innerText !== q", arg=first_quote
            )
            assert "Operational" in page.inner_text("#sys-state")
            assert page.inner_text("#stream-state") == "live"
            assert "default" in page.inner_text("#traders")
            assert "BTC/USDT · 1 min" in page.inner_text("#series-cards")  # not "1M"
            page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
            _use_token(page, admin_token)
            _results_and_chart(page)
            _create_trader(page)
            _backtest_and_log(page)
            page.screenshot(path=str(tmp_path / "dashboard-control.png"), full_page=True)
            assert errors == []
        finally:
            browser.close()


def _use_token(page, token: str) -> None:  # type: ignore[no-untyped-def]
    page.fill("#token-input", token)
    page.click("#token-form button[type=submit]")
    page.wait_for_function("window.tradestack.role === 'admin'", timeout=10_000)


def _results_and_chart(page) -> None:  # type: ignore[no-untyped-def]
    # The default trader's SMA lines over the candles, and a marker per fill on them.
    page.wait_for_function("window.tradestack.indicatorLines === 2", timeout=30_000)
    page.wait_for_function("window.tradestack.markers >= 2", timeout=60_000)
    page.wait_for_function("window.tradestack.closedTrades >= 1", timeout=60_000)
    page.click(".tab[data-tab=closed]")
    table = page.inner_text("#table-closed")
    assert "NET PNL" in table.upper() and "GROSS" in table.upper()
    first = page.locator("#table-closed tr.closed-trade").first
    assert first.locator("td.net").inner_text().strip() not in ("", "–")
    page.click(".tab[data-tab=performance]")
    assert "BTC/USDT" in page.inner_text("#table-performance")
    assert "net" in page.inner_text("#traders")  # the card shows PnL net of fees


def _create_trader(page) -> None:  # type: ignore[no-untyped-def]
    page.click("#new-trader-box summary")
    page.select_option("#nt-strategy", "sma_cross")  # its parameter schema draws the fields
    page.wait_for_selector("#nt-params input[name=param-fast]")
    page.fill("#nt-id", "swing")
    page.fill("#nt-params input[name=param-fast]", "40")
    page.fill("#nt-params input[name=param-slow]", "20")
    page.click("#nt-create")
    invalid = page.wait_for_selector(".field.invalid", timeout=10_000)
    assert "fast" in invalid.inner_text()  # the server's refusal, shown on the field
    page.fill("#nt-id", "swing")
    page.fill("#nt-params input[name=param-fast]", "5")
    page.fill("#nt-params input[name=param-slow]", "20")
    page.click("#nt-create")
    page.wait_for_selector("[data-trader=swing] .pill.running", timeout=15_000)


def _backtest_and_log(page) -> None:  # type: ignore[no-untyped-def]
    page.select_option("#bt-timeframe", "1m")
    page.click("#bt-run")
    page.wait_for_function("window.tradestack.backtestOpened > 0", timeout=30_000)
    assert page.is_visible("#backtest-view")
    assert "Backtest #" in page.inner_text("#bt-title")
    page.wait_for_function("window.tradestack.logEntries > 0", timeout=30_000)
    page.select_option("#log-type", "order.")
    assert "order." in page.inner_text("#log")
