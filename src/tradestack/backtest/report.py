"""The self-contained HTML report of a run: parameters, metrics, equity, drawdown, trades.

Everything is inline (CSS and SVG); the file opens offline and can be mailed.
"""

from __future__ import annotations

import dataclasses
import math
from datetime import timedelta
from html import escape
from pathlib import Path

import numpy as np

from tradestack import __version__
from tradestack.backtest.charts import Marker, candle_chart, line_chart
from tradestack.backtest.metrics import Metrics
from tradestack.backtest.result import BacktestResult
from tradestack.display import format as fmt
from tradestack.errors import ConfigError

MAX_TRADE_ROWS = 500

_STYLE = """
body{font-family:system-ui,sans-serif;margin:24px auto;max-width:1000px;color:#212121}
h1{font-size:22px;margin-bottom:4px} h2{font-size:16px;margin-top:28px}
.sub{color:#616161;margin-top:0} table{border-collapse:collapse;font-size:13px}
td,th{padding:3px 10px;border-bottom:1px solid #eee;text-align:right}
th:first-child,td:first-child{text-align:left} .grid{display:flex;gap:40px;flex-wrap:wrap}
svg{width:100%;height:auto;border:1px solid #eee;margin-top:8px}
"""


def render_html(result: BacktestResult, metrics: Metrics) -> str:
    """Return the report as one HTML document."""
    config, traded = result.config, result.traded
    stamps = traded.ts.astype("datetime64[s]").astype(str)
    labels = [stamps[0], stamps[len(stamps) // 2], stamps[-1]]
    peaks = np.maximum.accumulate(np.r_[float(config.cash), result.equity])[1:]
    drawdown = (result.equity / peaks - 1) * 100
    params = ", ".join(f"{k}={v}" for k, v in config.params.items()) or "defaults"
    markers = _markers(result)
    note = (
        f" (first {len(markers) // 2:,} of {len(result.trade_arrays):,} trades marked)"
        if len(markers) < 2 * len(result.trade_arrays)
        else ""
    )
    sections = [
        f"<h1>{escape(config.strategy)} on {escape(traded.symbol)} {escape(traded.timeframe)}</h1>",
        f'<p class="sub">{escape(stamps[0])} to {escape(stamps[-1])}, {len(traded):,} bars, '
        f"{escape(result.engine)} engine, tradestack {__version__}</p>",
        '<div class="grid">',
        _table("Parameters", _parameter_rows(result, params)),
        _table("Metrics", _metric_rows(metrics)),
        "</div>",
        line_chart(result.equity, labels, title="Equity", color="#1565c0", fill=True),
        line_chart(drawdown, labels, title="Drawdown %", color="#c62828", fill=True),
        candle_chart(
            traded.open,
            traded.high,
            traded.low,
            traded.close,
            markers,
            labels,
            title=f"Price and trades{note}",
        ),
        _trades_table(result),
    ]
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Backtest {escape(config.strategy)} {escape(traded.symbol)}</title>"
        f"<style>{_STYLE}</style></head><body>{''.join(sections)}</body></html>"
    )


def write_report(path: Path, result: BacktestResult, metrics: Metrics) -> None:
    """Write HTML, or JSON when ``path`` ends in ``.json`` (the record stored for the run).

    Raises
    ------
    ConfigError
        The file cannot be written.
    """
    if path.suffix.lower() == ".json":
        from tradestack.backtest.store import record_of
        from tradestack.backtest.summary import encode

        record = dataclasses.asdict(record_of(result, metrics))
        del record["id"]
        content = encode(record).decode()
    else:
        content = render_html(result, metrics)
    try:
        path.write_text(content, encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"cannot write report {path}: {error.strerror or error}") from None


def _markers(result: BacktestResult) -> list[Marker]:
    arrays = result.trade_arrays
    count = min(len(arrays), 500)
    out: list[Marker] = []
    for k in range(count):
        long = bool(arrays.direction[k] > 0)
        out.append(Marker(int(arrays.entry_index[k]), float(arrays.entry_price[k]), True, long))
        out.append(Marker(int(arrays.exit_index[k]), float(arrays.exit_price[k]), False, long))
    return out


def _parameter_rows(result: BacktestResult, params: str) -> list[tuple[str, str]]:
    config = result.config
    return [
        ("strategy", config.strategy),
        ("parameters", params),
        ("starting cash", f"{config.cash:,}"),
        ("fee rate", str(config.fee_rate)),
        ("lot size", str(config.lot_size)),
        ("fills", "market, next bar's open"),
        ("run time", f"{result.elapsed_s:.3f} s"),
    ]


def _metric_rows(m: Metrics) -> list[tuple[str, str]]:
    return [
        ("final equity", _money(m.final_equity)),
        ("total return", _pct(m.total_return_pct)),
        ("CAGR", _pct(m.cagr_pct)),
        ("Sharpe", _num(m.sharpe)),
        ("Sortino", _num(m.sortino)),
        ("Calmar", _num(m.calmar)),
        ("max drawdown", _pct(m.max_drawdown_pct)),
        ("longest drawdown", _duration(m.max_drawdown_duration)),
        ("trades", f"{m.trades:,}"),
        ("win rate", _pct(m.win_rate_pct)),
        ("profit factor", _num(m.profit_factor)),
        ("expectancy", f"{_money(m.expectancy)} ({_pct(m.expectancy_pct)})"),
        ("best / worst trade", f"{_pct(m.best_trade_pct)} / {_pct(m.worst_trade_pct)}"),
        ("average trade", _pct(m.avg_trade_pct)),
        ("exposure", _pct(m.exposure_pct)),
        ("fees paid", _money(m.fees)),
    ]


def _trades_table(result: BacktestResult) -> str:
    trades = result.trades
    rows = "".join(
        f"<tr><td>{k}</td><td>{t.side}</td><td>{t.entry_time:%Y-%m-%d %H:%M}</td>"
        f"<td>{t.entry_price}</td><td>{t.exit_time:%Y-%m-%d %H:%M}</td><td>{t.exit_price}</td>"
        f"<td>{t.size}</td><td>{_money(float(t.pnl))}</td><td>{_pct(t.return_pct)}</td></tr>"
        for k, t in enumerate(trades[:MAX_TRADE_ROWS], start=1)
    )
    more = (
        f"<p>First {MAX_TRADE_ROWS} of {len(trades):,} trades.</p>"
        if len(trades) > MAX_TRADE_ROWS
        else ""
    )
    head = "".join(
        f"<th>{h}</th>"
        for h in ("#", "side", "entry", "price", "exit", "price", "size", "PnL", "return")
    )
    return f"<h2>Trades</h2>{more}<table><tr>{head}</tr>{rows}</table>"


def _table(title: str, rows: list[tuple[str, str]]) -> str:
    body = "".join(f"<tr><td>{escape(k)}</td><td>{escape(v)}</td></tr>" for k, v in rows)
    return f"<div><h2>{escape(title)}</h2><table>{body}</table></div>"


def _money(value: float) -> str:
    return f"{value:,.2f}" if math.isfinite(value) else "n/a"


def _pct(value: float) -> str:
    return f"{value:.2f}%" if math.isfinite(value) else "n/a"


def _num(value: float) -> str:
    return f"{value:.3f}" if math.isfinite(value) else "n/a"


def _duration(value: timedelta) -> str:
    return fmt.duration(value)
