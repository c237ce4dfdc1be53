// tradestack dashboard, positions, orders, trades, balances, backtests and alerts.
import { $, api, escape, number, pill, quantity, signClass, state, time, toast } from "./core.js";
import { money } from "./format.js";

// Quote-currency balances are money (two decimals); base assets keep their quantity precision.
const QUOTES = new Set(["USDT", "USD", "USDC", "EUR", "BUSD"]);
const amount = (asset, value) => (QUOTES.has(asset) ? money(value) : quantity(value));

// ---- tables -------------------------------------------------------------------------------
function table(id, headers, rows, empty) {
  const head = `<thead><tr>${headers.map(([label, cls]) => `<th class="${cls || ""}">${label}</th>`).join("")}</tr></thead>`;
  const body = rows.length ? rows.join("") : `<tr><td class="empty" colspan="${headers.length}">${empty}</td></tr>`;
  $(id).innerHTML = head + `<tbody>${body}</tbody>`;
}
const side = (s) => `<span class="side-${s.toLowerCase()}">${s}</span>`;

export async function refreshTables() {
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
        rows.push(`<tr><td>${escape(account.trader_id)}</td><td>${escape(b.asset)}</td><td class="num">${amount(b.asset, b.free)}</td>
          <td class="num">${amount(b.asset, b.locked)}</td><td class="num">${amount(b.asset, b.total)}</td><td class="num">${money(account.equity)}</td></tr>`);
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

export async function refreshBacktests() {
  try {
    const page = await api("/api/v1/backtests?limit=20");
    const metric = (m, ...names) => { for (const n of names) if (m && m[n] !== undefined && m[n] !== null) return m[n]; return null; };
    table("table-backtests", [["Run"], ["Strategy"], ["Market"], ["Trades", "num"], ["Return", "num"], ["Sharpe", "num"]],
      (page.items || []).map((b) => {
        const ret = metric(b.metrics, "total_return_pct", "return_pct", "total_return");
        const sharpe = metric(b.metrics, "sharpe", "sharpe_ratio");
        return `<tr><td><a href="#" data-backtest="${escape(b.id)}">#${escape(b.id)}</a> <span class="muted small">${time(b.created_at)}</span></td><td>${escape(b.strategy)}</td>
          <td>${escape(b.symbol)} ${escape(b.timeframe)}</td><td class="num">${escape(b.trades)}</td>
          <td class="num ${signClass(ret)}">${ret === null ? "–" : number(ret)} %</td><td class="num">${sharpe === null ? "–" : number(sharpe)}</td></tr>`;
      }), "No backtest reports yet: run <code>tradestack backtest run</code>.");
  } catch (error) {
    const note = error.status === 404 ? "Backtest reports are not served by this build." : escape(error.message);
    $("table-backtests").innerHTML = `<tbody><tr><td class="empty">${note}</td></tr></tbody>`;
  }
}

export async function refreshAlerts() {
  try {
    const alerts = await api("/api/v1/alerts?limit=20");
    $("alerts").innerHTML = alerts.length
      ? alerts.map((a) => `<div class="alert ${a.active ? "" : "resolved"}">
          <span class="muted small">${time(a.time)} · ${escape(a.severity)} · ${escape(a.subject)}${a.acknowledged ? " · acknowledged" : ""}</span><br>
          ${escape(a.message)}</div>`).join("")
      : "No alerts. All quiet.";
  } catch (_) {
    $("alerts").textContent = "Alerts unavailable.";
  }
}
