// @ts-check
// What the page keeps in localStorage: the chat's messages (with their events), the id the
// server gave the chat, the token.
import { lineOf, lookPreview } from "./dom.js";

/** @typedef {import("./types.js").Message} Message */
/** @typedef {import("./types.js").AnswerEvent} AnswerEvent */

export const STORE_KEY = `codemode.chat:${location.pathname}`;
// The id the server gave this chat: sent with each message so the server's programs start
// from what the chat's earlier answers kept. The state itself stays on the server.
const CHAT_ID_KEY = `${STORE_KEY}:id`;
const TOKEN_KEY = "codemode.token";
const MAX_STORED_CHARS = 2_000_000;

/** @returns {Message[]} */
export function loadMessages() {
  try {
    const parsed = JSON.parse(localStorage.getItem(STORE_KEY) ?? "[]");
    return Array.isArray(parsed) ? parsed : [];
  } catch {
    return [];
  }
}

/** @param {Message[]} messages */
export function saveMessages(messages) {
  let list = messages;
  let text = JSON.stringify(list);
  // Drop the oldest turns until the chat fits comfortably in localStorage.
  while (text.length > MAX_STORED_CHARS && list.length > 2) {
    list = list.slice(2);
    text = JSON.stringify(list);
  }
  try {
    localStorage.setItem(STORE_KEY, text);
  } catch {
    // Storage full or disabled: the chat still works, it just is not kept.
  }
}

/** @returns {string | undefined} */
export function chatId() {
  try {
    return localStorage.getItem(CHAT_ID_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

/** @param {string | undefined} id */
export function setChatId(id) {
  try {
    if (id) localStorage.setItem(CHAT_ID_KEY, id);
    else localStorage.removeItem(CHAT_ID_KEY);
  } catch {
    // Storage disabled: the next message starts a new chat on the server.
  }
}

export function token() {
  return localStorage.getItem(TOKEN_KEY);
}

/** @param {string} value */
export function setToken(value) {
  localStorage.setItem(TOKEN_KEY, value);
}

/**
 * Events are stored to redraw the chat later; bulky values are left out.
 * @param {AnswerEvent} event
 * @returns {AnswerEvent}
 */
export function storableEvent(event) {
  if (event.type === "tool_result") {
    const { result: _drop, ...record } = event.record;
    return { ...event, record };
  }
  if (event.type === "done") {
    const { value: _value, toolCalls: _calls, turns: _turns, ...result } = event.result;
    return { ...event, result };
  }
  if (event.type === "approval_requested") {
    // The whole program is in the code block already; keep the calling line only.
    return {
      ...event,
      approvals: event.approvals.map(({ code, ...approval }) => ({
        ...approval,
        lineText: approval.lineText ?? lineOf(code, approval.line),
      })),
    };
  }
  if (event.type === "turn_end") {
    // A look is redrawn from a short preview; its full value and calls are not kept.
    const { value, toolCalls: _calls, observation: _o, ...record } = event.record;
    return { ...event, record: { ...record, preview: lookPreview(value) } };
  }
  return event;
}

/**
 * A message's text for the history sent with the next one, from its events.
 * @param {AnswerEvent[]} events
 */
export function assistantContent(events) {
  // A run resumed after its approvals ends with a later `done`: the last one counts.
  const last = events.findLast((e) => e.type === "done" || e.type === "error");
  if (last?.type === "error") return `Error: ${last.error.message}`;
  if (last?.type !== "done") return "(no answer)";
  const { result } = last;
  if (result.status === "suspended") {
    const tools = (result.pendingApprovals ?? []).map((a) => `${a.tool}()`).join(", ");
    return `(waiting for approval: ${tools})`;
  }
  return result.error ? `Error: ${result.error}` : result.summary;
}
