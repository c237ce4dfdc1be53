// tradestack dashboard, results: closed trades (net of fees, gross beside), performance per
// symbol and per strategy, the profit per day/week/month, and a stored backtest opened.
import { $, api, escape, pathSymbol, signClass, state } from "./core.js";
import { duration, money, percent, price, quantity, timestamp } from "./format.js";

const Charts = window.LightweightCharts;

function table(id, headers, rows, empty) {
  const head = `<thead><tr>${headers.map(([label, cls]) => `<th class="${cls || ""}">${label}</th>`).join("")}</tr></thead>`;
  const body = rows.length ? rows.join("") : `<tr><td class="empty" colspan="${headers.length}">${empty}</td></tr>`;
  $(id).innerHTML = head + `<tbody>${body}</tbody>`;
}

const TRADE_HEADERS = [["Exit"], ["Trader"], ["Symbol"], ["Side"], ["Qty", "num"], ["Entry", "num"], ["Exit price", "num"],
  ["Net PnL", "num"], ["Gross", "num"], ["Fees", "num"], ["Profit", "num"], ["Duration", "num"], ["Reason"]];

function tradeRow(t) {
  return `<tr class="closed-trade"><td>${timestamp(t.exit_time)}</td><td>${escape(t.trader_id || "backtest")}</td>
    <td>${escape(t.symbol || "")}</td><td>${escape(t.side)}</td><td class="num">${quantity(t.quantity ?? t.size)}</td>
    <td class="num">${price(t.entry_price)}</td><td class="num">${price(t.exit_price)}</td>
    <td class="num net ${signClass(t.net_pnl ?? t.pnl)}">${money(t.net_pnl ?? t.pnl, true)}</td>
    <td class="num">${money(t.gross_pnl, true)}</td><td class="num">${money(t.fees)}</td>
    <td class="num ${signClass(t.profit_pct ?? t.return_pct)}">${percent(t.profit_pct ?? t.return_pct, true)}</td>
    <td class="num">${duration(t.duration_s)}</td><td>${escape(t.exit_reason || "")}</td></tr>`;
}

export async function refreshResults() {
  const [closed, bySymbol, byStrategy] = await Promise.allSettled([
    api("/api/v1/trades/closed?limit=100"),
    api("/api/v1/analytics/breakdown?by=symbol"),
    api("/api/v1/analytics/breakdown?by=strategy"),
  ]).then((all) => all.map((r) => (r.status === "fulfilled" ? r.value : null)));
  if (closed) {
    state.closedTrades = closed.total;
    table("table-closed", TRADE_HEADERS, closed.items.map(tradeRow), "No closed trades yet.");
  }
  const groups = [...(bySymbol || []).map((g) => ["symbol", g]), ...(byStrategy || []).map((g) => ["strategy", g])];
  table("table-performance",
    [["By"], ["Name"], ["Trades", "num"], ["Win rate", "num"], ["Profit factor", "num"], ["Net PnL", "num"], ["Gross", "num"], ["Fees", "num"], ["Avg profit", "num"], ["Avg duration", "num"]],
    groups.map(([by, g]) => `<tr><td class="muted">${by}</td><td>${escape(g.key)}</td><td class="num">${g.trades}</td>
      <td class="num">${g.display.win_rate}</td><td class="num">${g.display.profit_factor}</td>
      <td class="num ${signClass(g.net_pnl)}">${g.display.net_pnl}</td><td class="num">${g.display.gross_pnl}</td>
      <td class="num">${g.display.fees}</td><td class="num">${g.display.average_profit_pct}</td><td class="num">${g.display.average_duration}</td></tr>`),
    "No closed trades yet.");
  refreshProfit();
}

// ---- profit per period --------------------------------------------------------------------
const profitChart = Charts.createChart($("profit-chart"), {
  autoSize: true,
  layout: { background: { type: "solid", color: "#121826" }, textColor: "#8a96ab", fontSize: 11 },
  grid: { vertLines: { visible: false }, horzLines: { color: "rgba(34,44,64,0.6)" } },
  rightPriceScale: { borderVisible: false }, timeScale: { borderVisible: false },
});
const profitBars = profitChart.addSeries(Charts.HistogramSeries, { priceLineVisible: false });

async function refreshProfit() {
  const period = $("profit-period").value;
  try {
    const series = await api(`/api/v1/analytics/profit?period=${period}`);
    profitBars.setData(series.map((p) => ({
      time: p.start, value: Number(p.net_pnl), color: Number(p.net_pnl) >= 0 ? "#22c08a" : "#f0556a",
    })));
    profitChart.timeScale().fitContent();
    const net = series.reduce((sum, p) => sum + Number(p.net_pnl), 0);
    const fees = series.reduce((sum, p) => sum + Number(p.fees), 0);
    $("profit-note").textContent = `${series.length} ${period}(s) · net ${money(net, true)} after ${money(fees)} fees`;
  } catch (error) { $("profit-note").textContent = error.message; }
}
$("profit-period").addEventListener("change", refreshProfit);

// ---- one stored backtest: chart with entries and exits, equity, drawdown, trades -------------
let backtestCharts = null;

function backtestChartSet() {
  if (backtestCharts) return backtestCharts;
  const options = {
    autoSize: true,
    layout: { background: { type: "solid", color: "#121826" }, textColor: "#8a96ab", fontSize: 11 },
    grid: { vertLines: { visible: false }, horzLines: { color: "rgba(34,44,64,0.6)" } },
    timeScale: { timeVisible: true },
  };
  const price = Charts.createChart($("bt-chart"), options);
  const candles = price.addSeries(Charts.CandlestickSeries, { upColor: "#22c08a", downColor: "#f0556a", borderVisible: false, wickUpColor: "#22c08a", wickDownColor: "#f0556a" });
  const marks = Charts.createSeriesMarkers(candles, []);
  const curves = Charts.createChart($("bt-curves"), options);
  const equity = curves.addSeries(Charts.LineSeries, { color: "#4f8cff", lineWidth: 2, title: "equity" });
  const drawdown = curves.addSeries(Charts.AreaSeries, { priceScaleId: "dd", lineColor: "#f0556a", topColor: "rgba(240,85,106,0.02)", bottomColor: "rgba(240,85,106,0.35)", title: "drawdown %", invertFilledArea: true });
  drawdown.priceScale().applyOptions({ scaleMargins: { top: 0.7, bottom: 0 } });
  backtestCharts = { price, candles, marks, curves, equity, drawdown };
  return backtestCharts;
}

export async function openBacktest(id) {
  const run = await api(`/api/v1/backtests/${id}`);
  $("backtest-view").classList.remove("hidden");
  const set = backtestChartSet();
  const m = run.metrics || {};
  $("bt-title").textContent = `Backtest #${run.id}: ${run.strategy} ${JSON.stringify(run.params)} on ${run.symbol} ${run.timeframe}`;
  $("bt-summary").textContent = `${run.trades} trades · return ${percent(m.total_return_pct, true)} · max drawdown ${percent(m.max_drawdown_pct)} · longest drawdown ${duration(m.max_drawdown_duration_s)} · fees ${money(m.fees)} · final equity ${money(run.final_equity)}`;
  const points = run.equity.map(([ts, value]) => ({ time: Math.floor(Date.parse(ts) / 1000), value }));
  set.equity.setData(points);
  let peak = -Infinity;
  set.drawdown.setData(points.map((p) => { peak = Math.max(peak, p.value); return { time: p.time, value: ((p.value - peak) / peak) * 100 }; }));
  set.curves.timeScale().fitContent();
  try {
    const body = await api(`/api/v1/candlesticks/${pathSymbol(run.symbol)}?timeframe=${run.timeframe}&start=${encodeURIComponent(run.start_ts)}&limit=5000`);
    set.candles.setData(body.candles.map((c) => ({ time: Math.floor(Date.parse(c.ts) / 1000), open: c.open, high: c.high, low: c.low, close: c.close })));
  } catch (_) { set.candles.setData([]); }
  const list = [];
  for (const t of run.trade_list) {
    const long = t.side !== "short";
    list.push({ time: Math.floor(Date.parse(t.entry_time) / 1000), position: long ? "belowBar" : "aboveBar", shape: long ? "arrowUp" : "arrowDown", color: "#22c08a", text: "in" });
    list.push({ time: Math.floor(Date.parse(t.exit_time) / 1000), position: long ? "aboveBar" : "belowBar", shape: long ? "arrowDown" : "arrowUp", color: "#f0556a", text: "out" });
  }
  list.sort((a, b) => a.time - b.time);
  set.marks.setMarkers(list);
  set.price.timeScale().fitContent();
  state.backtestOpened = run.id;
  state.backtestMarkers = list.length;
  table("bt-trades", TRADE_HEADERS, run.trade_list.slice(-200).reverse().map((t) => tradeRow({ ...t, symbol: run.symbol })), "No trades in this run.");
}

document.addEventListener("click", (event) => {
  const link = event.target.closest("[data-backtest]");
  if (!link) return;
  event.preventDefault();
  openBacktest(link.dataset.backtest);
});
document.addEventListener("tradestack:backtest-done", (event) => openBacktest(event.detail));
