// tradestack dashboard, control from the browser: create traders from a strategy's parameter
// schema (errors shown on the field), and start backtests and watch their progress.
import { $, api, escape, state, toast } from "./core.js";
import { percent } from "./format.js";

let strategies = [];

export async function loadStrategies() {
  try { strategies = await api("/api/v1/strategies"); } catch (_) { strategies = []; }
  for (const id of ["nt-strategy", "bt-strategy"]) {
    const select = $(id);
    if (!select) continue;
    select.innerHTML = strategies.map((s) => `<option value="${escape(s.name)}">${escape(s.name)}</option>`).join("");
    if (strategies.some((s) => s.name === "sma_cross")) select.value = "sma_cross";
    renderParams(id.split("-")[0]);
  }
}

function renderParams(prefix) {
  const strategy = strategies.find((s) => s.name === $(`${prefix}-strategy`).value);
  const holder = $(`${prefix}-params`);
  if (!strategy) { holder.innerHTML = ""; return; }
  $(`${prefix}-strategy-note`).textContent = strategy.description;
  holder.innerHTML = strategy.parameters.map((p) => {
    const type = p.type === "int" || p.type === "float" ? "number" : "text";
    const step = p.type === "int" ? "1" : "any";
    const bounds = `${p.minimum !== null ? ` min="${p.minimum}"` : ""}${p.maximum !== null ? ` max="${p.maximum}"` : ""}`;
    return `<label class="field" data-field="${escape(p.name)}">${escape(p.name)}
      <input name="param-${escape(p.name)}" data-type="${escape(p.type)}" type="${type}" step="${step}"${bounds} value="${escape(p.default)}" title="${escape(p.description)}">
      <span class="field-error"></span></label>`;
  }).join("");
}

function readParams(prefix) {
  const params = {};
  for (const input of $(`${prefix}-params`).querySelectorAll("input")) {
    const name = input.name.replace(/^param-/, "");
    const type = input.dataset.type;
    params[name] = type === "int" ? parseInt(input.value, 10) : type === "float" ? Number(input.value) : input.value;
  }
  return params;
}

function clearErrors(form) {
  form.querySelectorAll(".field-error").forEach((e) => { e.textContent = ""; });
  form.querySelectorAll(".field").forEach((f) => f.classList.remove("invalid"));
}

function showError(form, message, details) {
  // The field named by the server's details, or the first field whose name the message mentions.
  const fields = [...form.querySelectorAll(".field")];
  const named = (details || []).map((d) => String(d.field || "").split(".").pop());
  let target = fields.find((f) => named.includes(f.dataset.field));
  if (!target) {
    target = fields.find((f) => new RegExp(`\\b${f.dataset.field}\\b`).test(message))
      || (/trader name/.test(message) ? fields.find((f) => f.dataset.field === "trader_id") : null);
  }
  if (target) {
    target.classList.add("invalid");
    target.querySelector(".field-error").textContent = message;
  } else {
    form.querySelector(".form-error").textContent = message;
  }
}

async function post(path, body) {
  const headers = { "Content-Type": "application/json" };
  if (state.token) headers.Authorization = `Bearer ${state.token}`;
  const response = await fetch(path, { method: "POST", headers, body: JSON.stringify(body) });
  const data = await response.json().catch(() => null);
  return { ok: response.ok, status: response.status, data };
}

$("nt-strategy").addEventListener("change", () => renderParams("nt"));
$("bt-strategy").addEventListener("change", () => renderParams("bt"));

$("new-trader").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  clearErrors(form);
  form.querySelector(".form-error").textContent = "";
  const body = {
    trader_id: $("nt-id").value.trim(),
    strategy: $("nt-strategy").value,
    params: readParams("nt"),
    symbol: $("nt-symbol").value.trim(),
    timeframe: $("nt-timeframe").value,
    starting_cash: $("nt-cash").value,
    start: $("nt-start").checked,
  };
  const result = await post("/api/v1/traders", body);
  if (!result.ok) {
    const error = result.data?.error || {};
    showError(form, error.message || `HTTP ${result.status}`, error.details);
    return;
  }
  toast(`Trader ${body.trader_id} created${body.start ? " and started" : ""}.`);
  form.reset();
  renderParams("nt");
  document.dispatchEvent(new Event("tradestack:traders-changed"));
});

// ---- backtests ----------------------------------------------------------------------------
$("new-backtest").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  clearErrors(form);
  form.querySelector(".form-error").textContent = "";
  const body = {
    strategy: $("bt-strategy").value,
    params: readParams("bt"),
    symbol: $("bt-symbol").value.trim(),
    timeframe: $("bt-timeframe").value,
  };
  const result = await post("/api/v1/backtests/jobs", body);
  if (!result.ok) {
    const error = result.data?.error || {};
    showError(form, error.message || `HTTP ${result.status}`, error.details);
    return;
  }
  watchJob(result.data.job_id);
});

async function watchJob(jobId) {
  const bar = $("bt-progress");
  for (;;) {
    let job;
    try { job = await api(`/api/v1/backtests/jobs/${jobId}`); } catch (error) { bar.textContent = error.message; return; }
    state.backtestJob = job;
    bar.innerHTML = `<progress max="1" value="${job.progress}"></progress> ${escape(job.stage)} ${percent(job.progress * 100)}${job.bars ? ` · ${job.bars} bars` : ""}`;
    if (job.stage === "done") {
      bar.innerHTML += ` · <a href="#" data-backtest="${job.backtest_id}">open run #${job.backtest_id}</a>`;
      document.dispatchEvent(new CustomEvent("tradestack:backtest-done", { detail: job.backtest_id }));
      return;
    }
    if (job.stage === "failed") { bar.textContent = `failed: ${job.error}`; return; }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}
