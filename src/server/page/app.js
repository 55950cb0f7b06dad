// @ts-check
// codemode chat page: plain browser JavaScript modules, no build step. Talks to the same
// server's JSON API; renders the agent's NDJSON events as they arrive. This module holds the
// chat (its messages, the run going on) and wires the page's controls; CONTRIBUTING.md lists
// the other modules.
import { createAnswerView } from "./answer-view.js";
import { redrawCharts } from "./charts.js";
import { $, el, els, isDark, scrollToEnd } from "./dom.js";
import { showNotice, showTokenForm } from "./notices.js";
import {
  assistantContent,
  chatId,
  loadMessages,
  STORE_KEY,
  saveMessages,
  setChatId,
  storableEvent,
} from "./storage.js";
import { authHeaders, getJson, streamRun } from "./stream.js";
import { renderNudges, renderTools } from "./tool-panel.js";

/** @typedef {import("./types.js").Message} Message */
/** @typedef {import("./types.js").AnswerEvent} AnswerEvent */
/** @typedef {import("./types.js").Decisions} Decisions */
/** @typedef {import("./types.js").Failure} Failure */
/** @typedef {import("./types.js").Health} Health */
/** @typedef {import("./types.js").ToolsAnswer} ToolsAnswer */
/** @typedef {import("./types.js").NudgesAnswer} NudgesAnswer */
/** @typedef {ReturnType<typeof createAnswerView>} AnswerView */

const HISTORY_SENT = 40;

let messages = loadMessages();
/** @type {AbortController | null} */
let running = null;
/** Work that waits for the current run to end (an approval clicked while it streams). @type {(() => void)[]} */
const whenIdle = [];

// ---------------------------------------------------------------- theme and sidebar
$("toggle-theme").addEventListener("click", () => {
  const next = isDark() ? "light" : "dark";
  document.documentElement.dataset.theme = next;
  localStorage.setItem("codemode.theme", next);
  redrawCharts();
});

/** @param {boolean} open */
const toggleTools = (open) => {
  els.sidebar.classList.toggle("open", open);
  $("toggle-tools").setAttribute("aria-expanded", String(open));
};
$("toggle-tools").addEventListener("click", () =>
  toggleTools(!els.sidebar.classList.contains("open")),
);
$("close-tools").addEventListener("click", () => toggleTools(false));

async function loadHealth() {
  /** @type {Health} */
  let health;
  try {
    health = /** @type {Health} */ ((await getJson("health")).body);
  } catch {
    showNotice("warn", "The server is not reachable.", "Is codemode chat still running?");
    return;
  }
  if (health.model) {
    els.model.textContent = health.model;
    els.model.hidden = false;
  }
  const llm = health.llm ?? { ready: true };
  if (!llm.ready) {
    const title = llm.missingEnvVar
      ? `Set ${llm.missingEnvVar} to chat with ${health.model}.`
      : `The model ${health.model} cannot be called.`;
    showNotice("warn", title, llm.notice ?? "", llm.commands ?? []);
    els.notice.dataset.kind = "missing-key";
  } else if (llm.notice) {
    showNotice("info", "Offline demo", llm.notice);
  }
}

async function loadSidebar() {
  try {
    const tools = await getJson("api/tools");
    if (tools.status === 401) {
      showTokenForm(loadSidebar);
      return;
    }
    renderTools(/** @type {ToolsAnswer} */ (tools.body).tools ?? []);
    const nudges = /** @type {NudgesAnswer} */ ((await getJson("api/nudges")).body);
    renderNudges(nudges.nudges ?? [], (text) => {
      if (running) return;
      els.input.value = text;
      send();
    });
  } catch {
    els.tools.replaceChildren(el("li", { class: "hint", text: "Could not load the tools." }));
  }
}

// ---------------------------------------------------------------- chat
/** @param {string} text */
function addUserBubble(text) {
  els.messages.append(el("div", { class: "msg user" }, el("div", { class: "bubble", text })));
}

/**
 * An answer card for `message` (an assistant message, whose events it records).
 * @param {Message} message
 * @returns {AnswerView}
 */
function addAnswer(message) {
  const view = createAnswerView({
    onDecide: (continuationId, decisions) => {
      const go = () => resumeRun(message, view, continuationId, decisions);
      if (running) whenIdle.push(go);
      else go();
    },
  });
  els.messages.append(el("div", { class: "msg assistant" }, view.card));
  return view;
}

function redraw() {
  els.messages.replaceChildren(els.empty);
  els.empty.hidden = messages.length > 0;
  for (const message of messages) {
    if (message.role === "user") addUserBubble(message.content);
    else {
      message.events ??= [];
      const view = addAnswer(message);
      for (const event of message.events) view.onEvent(event);
    }
  }
  scrollToEnd();
}

/** @param {AbortController | null} controller */
function setRunning(controller) {
  running = controller;
  els.send.hidden = Boolean(controller);
  els.stop.hidden = !controller;
  els.input.disabled = Boolean(controller);
  for (const chip of els.nudges.querySelectorAll("button")) chip.disabled = Boolean(controller);
  if (!controller) for (const work of whenIdle.splice(0)) work();
}

/**
 * What a message's card does with each event: saves it (without bulky values) and draws it.
 * @param {AnswerEvent[]} events the message's events
 * @param {AnswerView} view
 * @returns {(event: AnswerEvent) => void}
 */
const recorder = (events, view) => (event) => {
  events.push(storableEvent(event));
  view.onEvent(event);
  scrollToEnd();
};

/** @param {Failure} failure */
function onRefused(failure) {
  if (failure.status === 401) showTokenForm(loadSidebar);
}

async function send() {
  const text = els.input.value.trim();
  if (!text || running) return;
  const history = messages.slice(-HISTORY_SENT).map((m) => ({ role: m.role, content: m.content }));
  els.input.value = "";
  autosize();
  els.empty.hidden = true;
  addUserBubble(text);
  /** @type {AnswerEvent[]} */
  const events = [];
  /** @type {Message} */
  const answer = { role: "assistant", content: "", events };
  const view = addAnswer(answer);
  const keep = recorder(events, view);
  /** @param {AnswerEvent} event */
  const record = (event) => {
    if (event.type === "done" && typeof event.chatId === "string") setChatId(event.chatId);
    keep(event);
  };
  messages.push({ role: "user", content: text });
  saveMessages(messages);
  const controller = new AbortController();
  setRunning(controller);
  try {
    const id = chatId();
    const body = { message: text, history, ...(id ? { chatId: id } : {}) };
    await streamRun("api/chat", body, record, controller, (failure) => {
      onRefused(failure);
      record({ type: "client_error", ...failure });
    });
  } finally {
    answer.content = assistantContent(events);
    messages.push(answer);
    saveMessages(messages);
    setRunning(null);
    els.input.focus();
    scrollToEnd();
  }
}

/**
 * Sends a suspended run's decisions; the rest of the answer streams into the same card.
 * @param {Message} message
 * @param {AnswerView} view
 * @param {string} continuationId
 * @param {Decisions} decisions
 */
async function resumeRun(message, view, continuationId, decisions) {
  const events = message.events ?? [];
  message.events = events;
  const record = recorder(events, view);
  record({ type: "approval_submitted", continuationId, decisions });
  saveMessages(messages);
  const controller = new AbortController();
  setRunning(controller);
  try {
    await streamRun(
      "api/approvals",
      { continuationId, decisions },
      record,
      controller,
      (failure) => {
        onRefused(failure);
        record({
          type: "approval_error",
          continuationId,
          ...failure,
          // 410: the run was resumed already (another tab, a second click); nothing to retry.
          retry: failure.status !== 410,
        });
      },
    );
  } finally {
    message.content = assistantContent(events);
    saveMessages(messages);
    setRunning(null);
    scrollToEnd();
  }
}

/** New chat: the server forgets this chat's state (best effort). */
function forgetChat() {
  const id = chatId();
  setChatId(undefined);
  if (!id) return;
  fetch("api/forget", {
    method: "POST",
    headers: { "content-type": "application/json", ...authHeaders() },
    body: JSON.stringify({ chatId: id }),
  }).catch(() => {});
}

// ---------------------------------------------------------------- composer
function autosize() {
  els.input.style.height = "auto";
  els.input.style.height = `${Math.min(els.input.scrollHeight, 160)}px`;
}
els.input.addEventListener("input", autosize);
els.input.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    send();
  }
});
els.composer.addEventListener("submit", (event) => {
  event.preventDefault();
  send();
});
els.stop.addEventListener("click", () => running?.abort());
// Another tab of this chat saved (an approval decided there, a new message): show it here.
window.addEventListener("storage", (event) => {
  if (event.key !== STORE_KEY || running) return;
  messages = loadMessages();
  redraw();
});
$("new-chat").addEventListener("click", () => {
  if (running) running.abort();
  forgetChat();
  messages = [];
  saveMessages(messages);
  redraw();
  els.input.focus();
});

redraw();
loadHealth();
loadSidebar();
