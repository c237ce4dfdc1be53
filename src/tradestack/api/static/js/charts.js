// tradestack dashboard, the market chart and the equity chart (TradingView Lightweight Charts).
import { $, api, number, pathSymbol, signClass, state } from "./core.js";

// ---- chart --------------------------------------------------------------------------------
const Charts = window.LightweightCharts;
const chart = Charts.createChart($("chart"), {
  autoSize: true,
  layout: { background: { type: "solid", color: "#121826" }, textColor: "#8a96ab", fontSize: 12 },
  grid: { vertLines: { color: "rgba(34,44,64,0.6)" }, horzLines: { color: "rgba(34,44,64,0.6)" } },
  rightPriceScale: { borderColor: "#222c40" },
  timeScale: { borderColor: "#222c40", timeVisible: true, secondsVisible: false, rightOffset: 4 },
  crosshair: { mode: Charts.CrosshairMode.Normal },
});
const candleSeries = chart.addSeries(Charts.CandlestickSeries, {
  upColor: "#22c08a", downColor: "#f0556a", borderVisible: false,
  wickUpColor: "#22c08a", wickDownColor: "#f0556a",
});
candleSeries.priceScale().applyOptions({ scaleMargins: { top: 0.08, bottom: 0.26 } });
const volumeSeries = chart.addSeries(Charts.HistogramSeries, {
  priceFormat: { type: "volume" }, priceScaleId: "volume", lastValueVisible: false, priceLineVisible: false,
});
volumeSeries.priceScale().applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });

const toCandle = (c) => ({ time: Math.floor(Date.parse(c.ts) / 1000), open: c.open, high: c.high, low: c.low, close: c.close });
const toVolume = (c) => ({
  time: Math.floor(Date.parse(c.ts) / 1000),
  value: c.volume,
  color: c.close >= c.open ? "rgba(34,192,138,0.45)" : "rgba(240,85,106,0.45)",
});

export async function loadChart() {
  if (!state.selected) return;
  const [symbol, timeframe] = state.selected;
  try {
    const body = await api(`/api/v1/candlesticks/${pathSymbol(symbol)}?timeframe=${timeframe}&limit=300`);
    candleSeries.setData(body.candles.map(toCandle));
    volumeSeries.setData(body.candles.map(toVolume));
    state.candles = body.candles.length;
    chart.timeScale().scrollToRealTime();
    const last = body.candles[body.candles.length - 1];
    if (last) showQuote(last, body.candles[0]);
    $("chart-note").textContent = `${timeframe} · ${body.candles.length} bars · live`;
  } catch (error) {
    $("chart-note").textContent = error.message;
  }
}

function showQuote(bar, first) {
  const change = first ? ((bar.close - first.open) / first.open) * 100 : 0;
  $("last-quote").innerHTML = `${number(bar.close)} <span class="${signClass(change)} small">${change >= 0 ? "+" : ""}${change.toFixed(2)}%</span>`;
}

export function onLiveBar(frame) {
  const bar = frame.data;
  if (!state.selected || bar.symbol !== state.selected[0] || bar.timeframe !== state.selected[1]) return;
  const candle = { ts: bar.ts, open: bar.open, high: bar.high, low: bar.low, close: bar.close, volume: bar.volume };
  candleSeries.update(toCandle(candle));
  volumeSeries.update(toVolume(candle));
  state.liveUpdates += 1;
  const first = candleSeries.data()[0];
  showQuote(bar, first && { open: first.open });
}

$("series-select").addEventListener("change", (event) => {
  state.selected = event.target.value.split(" ");
  loadChart();
});


// ---- equity -------------------------------------------------------------------------------
const equityChart = Charts.createChart($("equity-chart"), {
  autoSize: true,
  layout: { background: { type: "solid", color: "#121826" }, textColor: "#8a96ab", fontSize: 11 },
  grid: { vertLines: { visible: false }, horzLines: { color: "rgba(34,44,64,0.6)" } },
  rightPriceScale: { borderVisible: false },
  timeScale: { borderVisible: false, timeVisible: true },
  handleScroll: false, handleScale: false,
});
const equitySeries = equityChart.addSeries(Charts.AreaSeries, {
  lineColor: "#4f8cff", topColor: "rgba(79,140,255,0.35)", bottomColor: "rgba(79,140,255,0.02)", lineWidth: 2,
});

export async function refreshEquity(traderId) {
  if (!traderId) return;
  try {
    const body = await api(`/api/v1/traders/${encodeURIComponent(traderId)}/equity?limit=500`);
    const points = body.curve.map((p) => ({ time: Math.floor(Date.parse(p.ts) / 1000), value: Number(p.equity) }));
    equitySeries.setData(points);
    equityChart.timeScale().fitContent();
    const last = body.daily_pnl[body.daily_pnl.length - 1];
    $("equity-note").textContent = `${traderId} · ${points.length} snapshots` + (last ? ` · today ${number(last.pnl)}` : "");
  } catch (_) { /* the trader may be gone */ }
}

