// tradestack dashboard: the assistant's chat panel, mounted into <section id="assistant-mount">.
// Answers come from POST /api/v1/assistant; proposed changes are listed with Confirm / Reject,
// which call the confirmation endpoints with this tab's token (the server checks its role).
import { $, api, escape, state, toast } from "./core.js";

const PANEL = `
  <article class="panel assistant-panel">
    <div class="panel-head"><h2>Assistant</h2>
      <span class="muted small" id="assistant-note">reads everything; changes only after you confirm</span></div>
    <div class="assistant-log" id="assistant-log" aria-live="polite"></div>
    <div class="assistant-pending" id="assistant-pending"></div>
    <form class="assistant-form" id="assistant-form" autocomplete="off">
      <input id="assistant-input" maxlength="4000" placeholder="Ask: why did trader default sell? what is today's PnL?" aria-label="question">
      <button type="submit" class="btn">Ask</button>
    </form>
  </article>`;

function say(who, text, extra = "") {
  const log = $("assistant-log");
  const line = document.createElement("div");
  line.className = `assistant-line ${who}`;
  line.innerHTML = `<b>${who === "you" ? "You" : "Assistant"}</b> ${escape(text).replace(/\n/g, "<br>")}${extra}`;
  log.appendChild(line);
  log.scrollTop = log.scrollHeight;
}

async function refreshPending() {
  let pending = [];
  try { pending = await api("/api/v1/assistant/confirmations"); } catch (_) { return; }
  $("assistant-pending").innerHTML = pending.map((p) => `
    <div class="assistant-proposal" data-id="${escape(p.confirmation_id)}">
      <span>${escape(p.tool)} ${escape(JSON.stringify(p.arguments))}
        <span class="muted small">needs ${escape(p.required_role)} · #${escape(p.confirmation_id)}</span></span>
      <button class="btn small" data-answer="confirm">Confirm</button>
      <button class="btn small ghost" data-answer="reject">Reject</button>
    </div>`).join("");
}

async function answerProposal(event) {
  const button = event.target.closest("button[data-answer]");
  if (!button) return;
  const id = button.closest(".assistant-proposal").dataset.id;
  try {
    const done = await api(`/api/v1/assistant/confirmations/${encodeURIComponent(id)}/${button.dataset.answer}`,
      { method: "POST" });
    toast(`${done.tool}: ${done.status}`);
  } catch (error) {
    toast(error.message, true);
  }
  refreshPending();
}

async function ask(event) {
  event.preventDefault();
  const input = $("assistant-input");
  const question = input.value.trim();
  if (!question) return;
  input.value = "";
  say("you", question);
  try {
    const body = await api("/api/v1/assistant", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ question }),
    });
    const tools = body.tools.length
      ? ` <span class="muted small">(${body.tools.map((t) => `${escape(t.name)}: ${escape(t.status)}`).join(", ")})</span>` : "";
    say("assistant", body.answer || "(no answer)", tools);
    state.assistantAnswers = (state.assistantAnswers || 0) + 1;
  } catch (error) {
    say("assistant", `error: ${error.message}`);
  }
  refreshPending();
}

export function mountAssistant() {
  const mount = $("assistant-mount");
  if (!mount) return;
  mount.innerHTML = PANEL;
  $("assistant-form").addEventListener("submit", ask);
  $("assistant-pending").addEventListener("click", answerProposal);
  refreshPending();
  setInterval(refreshPending, 5000);
}

mountAssistant();
