// tradestack dashboard: plain JS over the REST API and the /ws/v1/stream WebSocket.
// The token (optional on loopback) lives in sessionStorage: it is gone when the tab closes.
"use strict";

(() => {
  const TOKEN_KEY = "tradestack.token";
  const REFRESH_MS = 3000;
  const state = {
    token: sessionStorage.getItem(TOKEN_KEY) || "",
    role: null,
    series: [],
    selected: null,
    candles: 0,
    liveUpdates: 0,
    ready: false,
    streamOpen: false,
    orders: [],
  };
  window.tradestack = state; // read by the browser test

  const $ = (id) => document.getElementById(id);
  const pathSymbol = (symbol) => symbol.replace("/", "-");

  // ---- formatting ---------------------------------------------------------------------------
  const number = (value, digits = 2) => {
    if (value === null || value === undefined || value === "") return "–";
    const n = Number(value);
    if (!Number.isFinite(n)) return String(value);
    return n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
  };
  const quantity = (value) => {
    const n = Number(value);
    if (!Number.isFinite(n)) return "–";
    return n.toLocaleString("en-US", { maximumFractionDigits: 8 });
  };
  const time = (iso) => {
    if (!iso) return "–";
    return new Date(iso).toISOString().replace("T", " ").slice(5, 19);
  };
  const duration = (seconds) => {
    const s = Math.floor(seconds);
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
    return h ? `${h}h ${m}m` : m ? `${m}m ${s % 60}s` : `${s}s`;
  };
  const escape = (text) => String(text ?? "").replace(/[&<>"']/g, (c) => (
    { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  const signClass = (value) => (Number(value) > 0 ? "up" : Number(value) < 0 ? "down" : "");
  const pill = (text) => `<span class="pill ${escape(String(text).toLowerCase())}">${escape(text)}</span>`;

  function toast(message, isError = false) {
    const box = $("toast");
    box.textContent = message;
    box.className = "toast" + (isError ? " error" : "");
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => box.classList.add("hidden"), 4500);
  }

  // ---- REST ---------------------------------------------------------------------------------
  async function api(path, options = {}) {
    const headers = { ...(options.headers || {}) };
    if (state.token) headers.Authorization = `Bearer ${state.token}`;
    const response = await fetch(path, { ...options, headers });
    let body = null;
    try { body = await response.json(); } catch (_) { /* empty body */ }
    if (!response.ok) {
      const error = new Error(body?.error?.message || response.statusText);
      error.status = response.status;
      throw error;
    }
    return body;
  }

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

  async function loadChart() {
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

  function onLiveBar(frame) {
    const bar = frame.data;
    updateSeriesCard(bar);
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

  // ---- status cards -------------------------------------------------------------------------
  const seriesCards = {};

  function updateSeriesCard(bar) {
    const key = `${bar.symbol} ${bar.timeframe}`;
    const card = seriesCards[key];
    if (!card) return;
    const change = card.previous ? ((bar.close - card.previous) / card.previous) * 100 : 0;
    card.previous = bar.close;
    card.el.querySelector(".big").innerHTML = `${number(bar.close)} <span class="small ${signClass(change)}">${change >= 0 ? "▲" : "▼"} ${Math.abs(change).toFixed(2)}%</span>`;
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
      el.innerHTML = `<h3>${escape(key)}</h3><div class="big">–</div>
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
      $("feed-bars").textContent = number(feed.bars_published, 0);
      $("feed-series").textContent = (feed.series || []).length;
      $("feed-stream").textContent = state.streamOpen ? `live · ${number(state.liveUpdates, 0)} updates` : "offline";
      const running = status.traders.filter((t) => t.state === "RUNNING");
      $("traders-count").innerHTML = `${running.length}<span class="muted small"> / ${status.traders.length} running</span>`;
      const sum = (field) => running.reduce((total, t) => total + Number(t[field] || 0), 0);
      $("traders-equity").textContent = number(sum("equity"));
      $("traders-positions").textContent = sum("open_positions");
      $("traders-filled").textContent = sum("orders_filled");
    } catch (error) {
      $("sys-state").innerHTML = `<span class="state-bad">● ${escape(error.status === 401 ? "Token needed" : "Unreachable")}</span>`;
    }
  }

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

  async function refreshEquity(traderId) {
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

  // ---- traders ------------------------------------------------------------------------------
  async function refreshTraders() {
    let traders = [];
    try { traders = await api("/api/v1/traders"); } catch (_) { return; }
    refreshEquity((traders.find((t) => t.runtime) || traders[0] || {}).trader_id);
    const admin = state.role === "admin";
    $("traders").innerHTML = traders.map((t) => {
      const r = t.runtime;
      const state_ = r ? (r.halted ? "HALTED" : r.state) : t.status.toUpperCase();
      const running = r && r.state === "RUNNING";
      const hint = admin ? "" : ' title="needs an admin token"';
      return `<div class="trader">
        <div class="who">${escape(t.trader_id)} ${pill(state_)}</div>
        <div class="actions">
          ${running
            ? `<button class="btn small" data-act="stop" data-id="${escape(t.trader_id)}"${admin ? "" : " disabled"}${hint}>Stop</button>`
            : `<button class="btn small" data-act="start" data-id="${escape(t.trader_id)}"${admin ? "" : " disabled"}${hint}>Start</button>`}
        </div>
        <div class="what">${escape(t.strategy)} · ${escape(t.symbol)} ${escape(t.timeframe)}</div>
        <div class="figures">${r ? `<span>equity ${number(r.equity)}</span><span class="${signClass(r.realized_pnl)}">pnl ${number(r.realized_pnl)}</span><span>orders ${r.orders_submitted}</span>` : "<span>not running</span>"}</div>
      </div>`;
    }).join("") || '<div class="muted small">No traders yet.</div>';
  }

  $("traders").addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-act]");
    if (!button) return;
    try {
      await api(`/api/v1/traders/${encodeURIComponent(button.dataset.id)}/${button.dataset.act}`, { method: "POST" });
      toast(`Trader ${button.dataset.id}: ${button.dataset.act === "stop" ? "stopped" : "started"}`);
    } catch (error) {
      toast(error.message, true);
    }
    refreshTraders();
    refreshStatus();
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

  // ---- tables -------------------------------------------------------------------------------
  function table(id, headers, rows, empty) {
    const head = `<thead><tr>${headers.map(([label, cls]) => `<th class="${cls || ""}">${label}</th>`).join("")}</tr></thead>`;
    const body = rows.length ? rows.join("") : `<tr><td class="empty" colspan="${headers.length}">${empty}</td></tr>`;
    $(id).innerHTML = head + `<tbody>${body}</tbody>`;
  }
  const side = (s) => `<span class="side-${s.toLowerCase()}">${s}</span>`;

  async function refreshTables() {
    const results = await Promise.allSettled([
      api("/api/v1/positions"), api("/api/v1/orders?limit=50"),
      api("/api/v1/trades?limit=50"), api("/api/v1/accounts/balance"),
    ]);
    const [positions, orders, trades, balance] = results.map((r) => (r.status === "fulfilled" ? r.value : null));
    if (positions) {
      table("table-positions",
        [["Trader"], ["Symbol"], ["Quantity", "num"], ["Avg price", "num"], ["Last", "num"], ["Unrealized", "num"], ["Realized", "num"], ["Fees", "num"]],
        positions.filter((p) => Number(p.quantity) !== 0 || Number(p.realized_pnl) !== 0).map((p) => `<tr>
          <td>${escape(p.trader_id)}</td><td>${escape(p.symbol)}</td>
          <td class="num ${signClass(p.quantity)}">${quantity(p.quantity)}</td><td class="num">${number(p.average_price)}</td>
          <td class="num">${number(p.last_price)}</td><td class="num ${signClass(p.unrealized_pnl)}">${number(p.unrealized_pnl)}</td>
          <td class="num ${signClass(p.realized_pnl)}">${number(p.realized_pnl)}</td><td class="num">${number(p.fees_paid)}</td></tr>`),
        "No positions yet.");
    }
    if (orders) {
      state.orders = orders.items;
      const canCancel = state.role === "trader" || state.role === "admin";
      table("table-orders",
        [["Created"], ["Trader"], ["Symbol"], ["Side"], ["Type"], ["Quantity", "num"], ["Price", "num"], ["Filled", "num"], ["Avg fill", "num"], ["Status"], [""]],
        orders.items.map((o) => `<tr title="${escape(o.reason || "")}">
          <td>${time(o.created_at)}</td><td>${escape(o.trader_id)}</td><td>${escape(o.symbol)}</td><td>${side(o.side)}</td>
          <td>${escape(o.type)}</td><td class="num">${quantity(o.quantity)}</td><td class="num">${o.price ? number(o.price) : "mkt"}</td>
          <td class="num">${quantity(o.filled_quantity)}</td><td class="num">${number(o.average_fill_price)}</td><td>${pill(o.status)}</td>
          <td>${canCancel && ["NEW", "SUBMITTED", "PARTIALLY_FILLED"].includes(o.status) ? `<button class="btn small" data-cancel="${escape(o.client_order_id)}">Cancel</button>` : ""}</td></tr>`),
        "No orders yet.");
    }
    if (trades) {
      table("table-trades",
        [["Time"], ["Trader"], ["Symbol"], ["Side"], ["Quantity", "num"], ["Price", "num"], ["Fee", "num"], ["Liquidity"]],
        trades.items.map((t) => `<tr><td>${time(t.ts)}</td><td>${escape(t.trader_id)}</td><td>${escape(t.symbol)}</td>
          <td>${side(t.side)}</td><td class="num">${quantity(t.quantity)}</td><td class="num">${number(t.price)}</td>
          <td class="num">${number(t.fee, 4)} ${escape(t.fee_asset)}</td><td>${escape(t.liquidity)}</td></tr>`),
        "No trades yet.");
    }
    if (balance) {
      const rows = [];
      for (const account of balance.accounts) {
        for (const b of account.balances) {
          rows.push(`<tr><td>${escape(account.trader_id)}</td><td>${escape(b.asset)}</td><td class="num">${quantity(b.free)}</td>
            <td class="num">${quantity(b.locked)}</td><td class="num">${quantity(b.total)}</td><td class="num">${number(account.equity)}</td></tr>`);
        }
      }
      table("table-balances", [["Trader"], ["Asset"], ["Free", "num"], ["Locked", "num"], ["Total", "num"], ["Equity", "num"]], rows, "No balances yet.");
    }
  }

  $("table-orders").addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-cancel]");
    if (!button) return;
    try {
      await api(`/api/v1/orders/${encodeURIComponent(button.dataset.cancel)}`, { method: "DELETE" });
      toast("Order canceled.");
    } catch (error) {
      toast(error.message, true);
    }
    refreshTables();
  });

  document.querySelectorAll(".tab").forEach((tab) => tab.addEventListener("click", () => {
    document.querySelectorAll(".tab").forEach((t) => t.classList.toggle("active", t === tab));
    document.querySelectorAll(".tab-body").forEach((body) => body.classList.toggle("hidden", body.id !== `table-${tab.dataset.tab}`));
  }));

  async function refreshBacktests() {
    try {
      const page = await api("/api/v1/backtests?limit=20");
      const metric = (m, ...names) => { for (const n of names) if (m && m[n] !== undefined && m[n] !== null) return m[n]; return null; };
      table("table-backtests", [["Run"], ["Strategy"], ["Market"], ["Trades", "num"], ["Return", "num"], ["Sharpe", "num"]],
        (page.items || []).map((b) => {
          const ret = metric(b.metrics, "total_return_pct", "return_pct", "total_return");
          const sharpe = metric(b.metrics, "sharpe", "sharpe_ratio");
          return `<tr><td>#${escape(b.id)} <span class="muted small">${time(b.created_at)}</span></td><td>${escape(b.strategy)}</td>
            <td>${escape(b.symbol)} ${escape(b.timeframe)}</td><td class="num">${escape(b.trades)}</td>
            <td class="num ${signClass(ret)}">${ret === null ? "–" : number(ret)}</td><td class="num">${sharpe === null ? "–" : number(sharpe)}</td></tr>`;
        }), "No backtest reports yet: run <code>tradestack backtest run</code>.");
    } catch (error) {
      const note = error.status === 404 ? "Backtest reports are not served by this build." : escape(error.message);
      $("table-backtests").innerHTML = `<tbody><tr><td class="empty">${note}</td></tr></tbody>`;
    }
  }

  async function refreshAlerts() {
    try {
      const alerts = await api("/api/v1/alerts?limit=20");
      $("alerts").innerHTML = alerts.length
        ? alerts.map((a) => `<div class="alert"><span class="muted small">${time(a.ts)} · ${escape(a.source_service)}</span><br>${escape(a.payload.message || JSON.stringify(a.payload))}</div>`).join("")
        : "No alerts. All quiet.";
    } catch (_) {
      $("alerts").textContent = "Alerts unavailable.";
    }
  }

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
      if (frame.type === "bar") onLiveBar(frame);
      else if (frame.type === "ack" && frame.action === "auth") {
        socket.send(JSON.stringify({ action: "subscribe", symbols: ["*"], channels: ["orders", "positions", "alerts"], id: "private" }));
      } else if (frame.type === "event") {
        clearTimeout(refreshSoon);
        refreshSoon = setTimeout(() => { refreshTables(); if (frame.channel === "alerts") refreshAlerts(); }, 300);
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
    await Promise.all([refreshTraders(), refreshTables(), refreshBacktests(), refreshAlerts()]);
    state.ready = true;
    setInterval(refreshAll, REFRESH_MS);
    setInterval(() => { refreshBacktests(); refreshAlerts(); }, 30000);
  }

  start();
})();
