// tradestack dashboard, the live event log: every WebSocket event frame, newest first, filtered
// by level, trader and event type. Levels: rejections, breaches and alerts are warnings (alerts
// carry their own severity); the rest is info.
import { $, escape, state } from "./core.js";
import { timestamp } from "./format.js";

const MAX_ENTRIES = 500;
const entries = [];
state.logEntries = 0;

function levelOf(frame) {
  const type = frame.event || frame.event_type || "";
  const severity = frame.data?.alert?.severity || frame.data?.severity;
  if (severity) return ["critical", "error"].includes(String(severity).toLowerCase()) ? "error" : "warning";
  if (/rejected|breach|fault|expired/.test(type)) return "warning";
  return "info";
}

function summary(frame) {
  const d = frame.data || {};
  const order = d.order || {};
  const fill = d.fill || {};
  const position = d.position || {};
  if (fill.price) return `${fill.side} ${fill.quantity} @ ${fill.price}`;
  if (order.client_order_id) return `${order.side} ${order.quantity} ${order.type} ${order.status}${order.reason ? ` (${order.reason})` : ""}`;
  if (position.symbol) return `${position.symbol} quantity ${position.quantity}`;
  if (d.signal) return `${d.signal.side} ${d.signal.symbol}`;
  if (d.message) return d.message;
  return JSON.stringify(d).slice(0, 160);
}

export function onEventFrame(frame) {
  const d = frame.data || {};
  entries.unshift({
    ts: frame.ts || new Date().toISOString(),
    level: levelOf(frame),
    trader: frame.trader_id || d.order?.trader_id || d.fill?.trader_id || d.position?.trader_id || "",
    type: frame.event || frame.event_type || frame.channel || "event",
    text: summary(frame),
  });
  if (entries.length > MAX_ENTRIES) entries.pop();
  state.logEntries = entries.length;
  render();
}

function render() {
  const level = $("log-level").value;
  const trader = $("log-trader").value;
  const type = $("log-type").value;
  const traders = [...new Set(entries.map((e) => e.trader).filter(Boolean))];
  const current = [...$("log-trader").options].map((o) => o.value).slice(1);
  if (traders.join() !== current.join()) {
    $("log-trader").innerHTML = `<option value="">all traders</option>` + traders.map((t) => `<option>${escape(t)}</option>`).join("");
    $("log-trader").value = trader;
  }
  const rank = { info: 0, warning: 1, error: 2 };
  const shown = entries.filter((e) => (!level || rank[e.level] >= rank[level])
    && (!trader || e.trader === trader) && (!type || e.type.startsWith(type)));
  $("log").innerHTML = shown.slice(0, 200).map((e) => `<div class="log-line ${e.level}">
    <span class="muted">${timestamp(e.ts)}</span> <span class="lvl">${e.level}</span>
    <span class="type">${escape(e.type)}</span> <span>${escape(e.trader)}</span> ${escape(e.text)}</div>`).join("")
    || '<div class="muted small">No events yet (orders, positions and signals need a token).</div>';
}

for (const id of ["log-level", "log-trader", "log-type"]) $(id).addEventListener("change", render);
render();
