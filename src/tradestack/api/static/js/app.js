// tradestack dashboard: plain JS modules over the REST API and the /ws/v1/stream WebSocket.
import { loadChart, onLiveBar, refreshEquity, refreshMarkers } from "./charts.js";
import { loadStrategies } from "./control.js";
import { money, percent, timeframe as timeframeLabel } from "./format.js";
import { onEventFrame } from "./log.js";
import { refreshResults } from "./results.js";
import {
  $, api, duration, escape, number, pathSymbol, pill, REFRESH_MS, signClass, state, time, toast, TOKEN_KEY,
} from "./core.js";
import { refreshAlerts, refreshBacktests, refreshTables } from "./tables.js";

// ---- identity -----------------------------------------------------------------------------
async function refreshIdentity() {
  const badge = $("role-badge");
  try {
    const me = await api("/api/v1/auth/me");
    state.role = me.role;
    badge.textContent = me.anonymous ? "read-only" : `${me.name} · ${me.role}`;
    badge.className = "role-badge " + (me.anonymous ? "" : me.role);
  } catch (error) {
    state.role = null;
    badge.textContent = error.status === 401 && state.token ? "bad token" : "no token";
    badge.className = "role-badge";
  }
  const admin = state.role === "admin";
  $("kill-switch").disabled = !admin;
  $("kill-switch").title = admin
    ? "Cancel every trader's orders and halt it"
    : "Needs an admin token (tradestack token create --role admin --name you)";
}

$("token-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  state.token = $("token-input").value.trim();
  $("token-input").value = "";
  if (state.token) sessionStorage.setItem(TOKEN_KEY, state.token);
  await refreshIdentity();
  reconnectStream();
  refreshAll();
});
$("token-clear").addEventListener("click", async () => {
  state.token = "";
  sessionStorage.removeItem(TOKEN_KEY);
  await refreshIdentity();
  reconnectStream();
  refreshAll();
});


// ---- status cards -------------------------------------------------------------------------
const seriesCards = {};

function updateSeriesCard(bar) {
  const key = `${bar.symbol} ${bar.timeframe}`;
  const card = seriesCards[key];
  if (!card) return;
  const change = card.previous ? ((bar.close - card.previous) / card.previous) * 100 : 0;
  card.previous = bar.close;
  card.el.querySelector(".big").innerHTML = `${number(bar.close)} <span class="small ${signClass(change)}" title="against the previous bar's close">${change >= 0 ? "▲" : "▼"} ${percent(Math.abs(change))} bar</span>`;
  card.el.querySelector(".last-bar").textContent = time(bar.ts);
  card.el.querySelector(".age").textContent = "just now";
  card.seen = Date.now();
}

function renderSeriesCards(series) {
  const holder = $("series-cards");
  for (const key of series) {
    if (seriesCards[key]) continue;
    const el = document.createElement("article");
    el.className = "card";
    const [cardSymbol, cardTimeframe] = key.split(" ");
    el.innerHTML = `<h3 class="series-title">${escape(cardSymbol)} · ${escape(timeframeLabel(cardTimeframe))}</h3><div class="big">–</div>
      <dl><dt>Last bar</dt><dd class="last-bar">–</dd><dt>Updated</dt><dd class="age">–</dd></dl>`;
    holder.appendChild(el);
    seriesCards[key] = { el, previous: null, seen: 0 };
    const [symbol, timeframe] = key.split(" ");
    api(`/api/v1/candlesticks/${pathSymbol(symbol)}?timeframe=${timeframe}&limit=2`)
      .then((body) => {
        const [before, last] = body.candles.length === 2 ? body.candles : [null, body.candles[0]];
        if (!last) return;
        seriesCards[key].previous = before ? before.close : null;
        updateSeriesCard({ ...last, symbol, timeframe });
      })
      .catch(() => {});
  }
  for (const card of Object.values(seriesCards)) {
    if (card.seen) card.el.querySelector(".age").textContent = `${duration((Date.now() - card.seen) / 1000)} ago`;
  }
}

async function refreshStatus() {
  try {
    const status = await api("/api/v1/system/status");
    $("version").textContent = `v${status.version}`;
    $("sys-state").innerHTML = `<span class="state-ok">● Operational</span>`;
    $("sys-shape").textContent = status.shape;
    $("sys-db").textContent = status.database.split("///").pop().split("/").slice(-1)[0] || status.database;
    $("sys-db").title = status.database;
    const bus = status.event_bus;
    $("sys-bus").textContent = `${bus.adapter}${bus.connected === false ? " (down)" : ""}`;
    $("sys-uptime").textContent = duration(status.uptime_s);
    const series = [...new Set([...(status.feed.series || []), ...status.traders.map((t) => `${t.symbol} ${t.timeframe}`)])];
    renderSeriesCards(series);
    const select = $("series-select");
    if (series.join() !== state.series.join()) {
      state.series = series;
      select.innerHTML = series.map((s) => `<option>${escape(s)}</option>`).join("");
      if (!state.selected && series.length) {
        state.selected = series[0].split(" ");
        await loadChart();
        subscribeBars();
      }
      if (state.selected) select.value = state.selected.join(" ");
    }
    const feed = status.feed || {};
    const feedOk = feed.state === "RUNNING";
    $("feed-state").innerHTML = `<span class="${feedOk ? "state-ok" : "state-warn"}">● ${escape(feedOk ? "Streaming" : (feed.state || "idle").toLowerCase())}</span>`;
    $("feed-bars").textContent = number(feed.bars_stored ?? feed.bars_published, 0);
    $("feed-series").textContent = (feed.series || []).length;
    $("feed-stream").textContent = state.streamOpen ? `live · ${number(state.liveUpdates, 0)} updates` : "offline";
    const running = status.traders.filter((t) => t.state === "RUNNING");
    $("traders-count").innerHTML = `${running.length}<span class="muted small"> / ${status.traders.length} running</span>`;
    const sum = (field) => running.reduce((total, t) => total + Number(t[field] || 0), 0);
    const stoppedEquity = (state.traders || []).filter((t) => !t.runtime && t.stored)
      .reduce((total, t) => total + Number(t.stored.equity || 0), 0);
    $("traders-equity").textContent = money(sum("equity") + stoppedEquity);
    $("traders-equity").title = "running traders' live equity plus stopped traders' last stored equity";
    $("traders-positions").textContent = sum("open_positions");
    $("traders-filled").textContent = sum("orders_filled");
  } catch (error) {
    $("sys-state").innerHTML = `<span class="state-bad">● ${escape(error.status === 401 ? "Token needed" : "Unreachable")}</span>`;
  }
}


// ---- traders ------------------------------------------------------------------------------
async function refreshTraders() {
  let traders = [];
  try { traders = await api("/api/v1/traders"); } catch (_) { return; }
  const changed = JSON.stringify((state.traders || []).map((t) => [t.trader_id, t.indicators]))
    !== JSON.stringify(traders.map((t) => [t.trader_id, t.indicators]));
  state.traders = traders;
  if (changed && state.selected) loadChart();
  refreshEquity((traders.find((t) => t.runtime) || traders[0] || {}).trader_id);
  const admin = state.role === "admin";
  const trading = admin || state.role === "trader";
  $("traders").innerHTML = traders.map((t) => {
    const r = t.runtime;
    const state_ = r ? (r.halted ? "HALTED" : r.state) : t.status.toUpperCase();
    const running = r && r.state === "RUNNING";
    const button = (act, label, allowed = admin) =>
      `<button class="btn small" data-act="${act}" data-id="${escape(t.trader_id)}" data-symbol="${escape(t.symbol)}"${allowed ? "" : ' disabled title="needs a token with that role"'}>${label}</button>`;
    const net = r ? r.net_pnl : t.stored ? t.stored.net_pnl : null;
    const equity = r ? r.equity : t.stored ? t.stored.equity : null;
    const figures = `<span>equity ${money(equity)}</span>
      <span class="${signClass(net)}" title="net of fees: realized + unrealized - fees">net ${money(net, true)}</span>
      ${r ? `<span class="muted">gross ${money(r.gross_pnl, true)} · fees ${money(r.fees_paid)}</span><span>orders ${r.orders_submitted}</span>` : "<span class=\"muted\">stopped: last stored equity</span>"}`;
    return `<div class="trader" data-trader="${escape(t.trader_id)}">
      <div class="who">${escape(t.trader_id)} ${pill(state_)}</div>
      <div class="actions">
        ${r && r.halted ? button("start", "Resume") : ""}
        ${running ? button("stop", "Stop") : button("start", "Start")}
        ${running && r.open_positions ? button("exit", "Force exit", trading) : ""}
        ${running ? "" : button("remove", "Remove")}
      </div>
      <div class="what">${escape(t.strategy)} ${escape(JSON.stringify(t.params))} · ${escape(t.symbol)} ${escape(timeframeLabel(t.timeframe))}</div>
      <div class="figures">${figures}</div>
      <div class="figures stats muted small" data-stats="${escape(t.trader_id)}"></div>
    </div>`;
  }).join("") || '<div class="muted small">No traders yet.</div>';
  for (const t of traders) refreshTraderStats(t.trader_id);
}

async function refreshTraderStats(traderId) {
  try {
    const perf = await api(`/api/v1/analytics/traders/${encodeURIComponent(traderId)}`);
    const s = perf.summary;
    const el = document.querySelector(`[data-stats="${CSS.escape(traderId)}"]`);
    if (el) el.textContent = `${s.trades} trades · win rate ${s.win_rate === null ? "–" : percent(s.win_rate * 100)} · profit factor ${s.profit_factor === null ? "–" : number(s.profit_factor)} · max drawdown ${percent(s.max_drawdown_pct * 100)}`;
  } catch (_) { /* shown next time */ }
}

document.addEventListener("tradestack:traders-changed", () => { refreshTraders(); refreshStatus(); });

$("traders").addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-act]");
  if (!button) return;
  const id = button.dataset.id;
  const act = button.dataset.act;
  try {
    if (act === "remove") {
      if (!confirm(`Remove trader ${id}? Its orders and fills stay in the history.`)) return;
      await api(`/api/v1/traders/${encodeURIComponent(id)}`, { method: "DELETE" });
      toast(`Trader ${id} removed.`);
    } else if (act === "exit") {
      const orders = await api(`/api/v1/traders/${encodeURIComponent(id)}/positions/${encodeURIComponent(button.dataset.symbol.replace("/", "-"))}/exit`, { method: "POST" });
      toast(`Trader ${id}: exit order ${orders.map((o) => o.status).join(", ")}.`);
    } else {
      await api(`/api/v1/traders/${encodeURIComponent(id)}/${act}`, { method: "POST" });
      toast(`Trader ${id}: ${act === "stop" ? "stopped" : "started"}`);
    }
  } catch (error) {
    toast(error.message, true);
  }
  refreshTraders();
  refreshStatus();
  refreshTables();
});

$("kill-switch").addEventListener("click", async () => {
  if (state.role !== "admin") { toast("The kill switch needs an admin token.", true); return; }
  if (!confirm("Kill switch: cancel every open order of every trader and halt them all?")) return;
  try {
    const traders = await api("/api/v1/traders");
    let canceled = 0;
    for (const t of traders) {
      const result = await api(`/api/v1/traders/${encodeURIComponent(t.trader_id)}/emergency-stop`, { method: "POST" });
      canceled += result.canceled_orders;
    }
    toast(`Kill switch: ${traders.length} trader(s) halted, ${canceled} order(s) canceled.`);
  } catch (error) {
    toast(error.message, true);
  }
  refreshAll();
});


// ---- live stream --------------------------------------------------------------------------
let socket = null;
let retryMs = 500;
let refreshSoon = null;

function setStreamState(text, cls) {
  $("stream-state").textContent = text;
  $("stream-dot").className = "dot " + (cls || "");
}

function subscribeBars() {
  if (!socket || socket.readyState !== WebSocket.OPEN) return;
  const symbols = [...new Set(state.series.map((s) => s.split(" ")[0]))];
  if (symbols.length) socket.send(JSON.stringify({ action: "subscribe", symbols, channels: ["bars"], id: "bars" }));
}

function connectStream() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  socket = new WebSocket(`${scheme}://${location.host}/ws/v1/stream`);
  const current = socket;
  socket.addEventListener("open", () => {
    retryMs = 500;
    state.streamOpen = true;
    setStreamState("live", "on");
    if (state.token) socket.send(JSON.stringify({ action: "auth", token: state.token, id: "auth" }));
    subscribeBars();
  });
  socket.addEventListener("message", (message) => {
    const frame = JSON.parse(message.data);
    if (frame.type === "bar") {
      updateSeriesCard(frame.data);
      onLiveBar(frame);
    }
    else if (frame.type === "ack" && frame.action === "auth") {
      socket.send(JSON.stringify({ action: "subscribe", symbols: ["*"], channels: ["orders", "positions", "signals", "alerts"], id: "private" }));
    } else if (frame.type === "event") {
      onEventFrame(frame);
      clearTimeout(refreshSoon);
      refreshSoon = setTimeout(() => {
        refreshTables();
        refreshResults();
        refreshMarkers();
        if (frame.channel === "alerts") refreshAlerts();
      }, 300);
    } else if (frame.type === "dropped") {
      setStreamState(`live (${frame.total} dropped)`, "on");
    }
  });
  socket.addEventListener("close", () => {
    if (current !== socket) return;
    state.streamOpen = false;
    setStreamState("reconnecting", "off");
    setTimeout(connectStream, retryMs);
    retryMs = Math.min(retryMs * 2, 10000);
  });
}

function reconnectStream() {
  const old = socket;
  socket = null;
  if (old) old.close();
  connectStream();
}


// ---- main loop ----------------------------------------------------------------------------
function refreshAll() {
  refreshStatus();
  refreshTraders();
  refreshTables();
}

async function start() {
  await refreshIdentity();
  await refreshStatus();
  connectStream();
  await refreshTraders();
  await Promise.all([refreshTables(), refreshResults(), refreshBacktests(), refreshAlerts(), loadStrategies()]);
  state.ready = true;
  setInterval(refreshAll, REFRESH_MS);
  setInterval(() => { refreshBacktests(); refreshAlerts(); refreshResults(); }, 15000);
}

start();
