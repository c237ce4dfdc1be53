// tradestack dashboard, shared state, formatting and the REST helper.
// The token (optional on loopback) lives in sessionStorage: it is gone when the tab closes.
export const TOKEN_KEY = "tradestack.token";
export const REFRESH_MS = 3000;
export const state = {
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

export const $ = (id) => document.getElementById(id);
export const pathSymbol = (symbol) => symbol.replace("/", "-");

// ---- formatting ---------------------------------------------------------------------------
export const number = (value, digits = 2) => {
  if (value === null || value === undefined || value === "") return "–";
  const n = Number(value);
  if (!Number.isFinite(n)) return String(value);
  return n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
};
export const quantity = (value) => {
  const n = Number(value);
  if (!Number.isFinite(n)) return "–";
  return n.toLocaleString("en-US", { maximumFractionDigits: 8 });
};
export const time = (iso) => {
  if (!iso) return "–";
  return new Date(iso).toISOString().replace("T", " ").slice(5, 19);
};
export const duration = (seconds) => {
  const s = Math.floor(seconds);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
  return h ? `${h}h ${m}m` : m ? `${m}m ${s % 60}s` : `${s}s`;
};
export const escape = (text) => String(text ?? "").replace(/[&<>"']/g, (c) => (
  { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
export const signClass = (value) => (Number(value) > 0 ? "up" : Number(value) < 0 ? "down" : "");
export const pill = (text) => `<span class="pill ${escape(String(text).toLowerCase())}">${escape(text)}</span>`;

export function toast(message, isError = false) {
  const box = $("toast");
  box.textContent = message;
  box.className = "toast" + (isError ? " error" : "");
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => box.classList.add("hidden"), 4500);
}

// ---- REST ---------------------------------------------------------------------------------
export async function api(path, options = {}) {
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

