// tradestack dashboard, the market chart and the equity chart (TradingView Lightweight Charts).
import { $, api, number, pathSymbol, signClass, state } from "./core.js";
import { percent, timeframe as timeframeLabel } from "./format.js";

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

// ---- indicator lines and fill markers ----------------------------------------------------
const LINE_COLORS = ["#f5b942", "#b57bff", "#3fd0e0", "#ff7bb0", "#9ad04f"];
let indicatorLines = {};
const markers = Charts.createSeriesMarkers(candleSeries, []);
state.indicatorLines = 0;
state.markers = 0;

function drawIndicators(candles, names) {
  for (const line of Object.values(indicatorLines)) chart.removeSeries(line);
  indicatorLines = {};
  names.forEach((name, i) => {
    const points = candles
      .filter((c) => c.indicators && c.indicators[name] !== null && c.indicators[name] !== undefined)
      .map((c) => ({ time: Math.floor(Date.parse(c.ts) / 1000), value: c.indicators[name] }));
    if (!points.length) return;
    const line = chart.addSeries(Charts.LineSeries, {
      color: LINE_COLORS[i % LINE_COLORS.length], lineWidth: 2, priceLineVisible: false,
      lastValueVisible: false, title: name,
    });
    line.setData(points);
    indicatorLines[name] = line;
  });
  state.indicatorLines = Object.keys(indicatorLines).length;
}

export function barSeconds(label) {
  const m = /^(\d+)([smhdw])$/.exec(label);
  return m ? Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400, w: 604800 }[m[2]] : 60;
}

export function fillMarkers(fills, timeframe, first) {
  const step = barSeconds(timeframe);
  return fills
    .map((f) => ({ f, time: Math.floor(Date.parse(f.ts) / 1000 / step) * step }))
    .filter(({ time }) => time >= first)
    .sort((a, b) => a.time - b.time)
    .map(({ f, time }) => ({
      time,
      position: f.side === "BUY" ? "belowBar" : "aboveBar",
      color: f.side === "BUY" ? "#22c08a" : "#f0556a",
      shape: f.side === "BUY" ? "arrowUp" : "arrowDown",
      text: `${f.side === "BUY" ? "B" : "S"} ${f.trader_id}`,
    }));
}

async function drawFills(symbol, timeframe, first) {
  try {
    const page = await api(`/api/v1/trades?symbol=${pathSymbol(symbol)}&limit=500`);
    const list = fillMarkers(page.items, timeframe, first);
    markers.setMarkers(list);
    state.markers = list.length;
  } catch (_) { markers.setMarkers([]); state.markers = 0; }
}

function traderOn(symbol, timeframe) {
  return (state.traders || []).find((t) => t.symbol === symbol && t.timeframe === timeframe);
}

export async function loadChart() {
  if (!state.selected) return;
  const [symbol, timeframe] = state.selected;
  const trader = traderOn(symbol, timeframe);
  const names = trader ? trader.indicators || [] : [];
  try {
    const query = `timeframe=${timeframe}&limit=300` + (names.length ? `&indicators=${names.join(",")}` : "");
    const body = await api(`/api/v1/candlesticks/${pathSymbol(symbol)}?${query}`);
    candleSeries.setData(body.candles.map(toCandle));
    volumeSeries.setData(body.candles.map(toVolume));
    drawIndicators(body.candles, names);
    state.candles = body.candles.length;
    chart.timeScale().scrollToRealTime();
    const last = body.candles[body.candles.length - 1];
    if (last) showQuote(last, body.candles[0]);
    const first = body.candles.length ? Math.floor(Date.parse(body.candles[0].ts) / 1000) : 0;
    await drawFills(symbol, timeframe, first);
    const what = trader ? ` · ${trader.trader_id}: ${names.join(", ") || "no indicators"}` : "";
    $("chart-note").textContent = `${timeframeLabel(timeframe)} · ${body.candles.length} bars${what} · ${state.markers} fills · live`;
  } catch (error) {
    $("chart-note").textContent = error.message;
  }
}

export function refreshMarkers() {
  if (!state.selected) return;
  const data = candleSeries.data();
  drawFills(state.selected[0], state.selected[1], data.length ? data[0].time : 0);
}

function showQuote(bar, first) {
  // Over the bars on the chart; the series cards show the change against the previous bar.
  const change = first ? ((bar.close - first.open) / first.open) * 100 : 0;
  $("last-quote").innerHTML = `${number(bar.close)} <span class="${signClass(change)} small" title="change over the bars shown">${percent(change, true)} over chart</span>`;
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

