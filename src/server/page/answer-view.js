// @ts-check
// One answer card: renders a run's events (the server's, and the page's own) as they arrive,
// and again when the chat is redrawn from storage. What the server streams goes through
// `SERVER_EVENTS`; what the page records itself through `PAGE_EVENTS` (answer-end.js), with
// the run's end (result, approvals).
import { PAGE_EVENTS, renderApprovals, renderResult } from "./answer-end.js";
import { endPhase, errorBox, failCurrent, markFailed, phase } from "./answer-parts.js";
import { el, formatArgs, lineOf, lookPreview, short, vendor } from "./dom.js";

/** @typedef {import("./types.js").AnswerEvent} AnswerEvent */
/** @typedef {import("./types.js").ServerEvent} ServerEvent */
/** @typedef {import("./types.js").Decisions} Decisions */
/** @typedef {import("./answer-parts.js").View} View */
/**
 * @template {ServerEvent["type"]} K
 * @typedef {Extract<ServerEvent, { type: K }>} EventOf
 */

/**
 * Renders a run's events into an answer card; used live and when redrawing history.
 * `onDecide(continuationId, decisions)` is called when every approval of a suspended run
 * has been clicked.
 * @param {{ onDecide?: (continuationId: string, decisions: Decisions) => void }} [options]
 */
export function createAnswerView({ onDecide } = {}) {
  const card = el("div", { class: "answer" });
  const phases = el("div", { class: "phases" });
  const codes = el("div", { class: "codes" });
  const calls = el("ul", { class: "calls" });
  const body = el("div", { class: "body" });
  card.append(phases, codes, calls, body);
  /** @type {View} */
  const view = {
    card,
    phases,
    codes,
    calls,
    body,
    currentPhase: null,
    codeBlocks: new Map(),
    callRows: new Map(),
    output: null,
    maxTurns: 1,
    /** The calling line of each approval, by id, from approval_requested. */
    lineTexts: new Map(),
    /** Approval cards by approval id, and each suspension's group by continuationId. */
    approvalCards: new Map(),
    approvalGroups: new Map(),
    onDecide,
  };
  /** @param {AnswerEvent} event */
  const onEvent = (event) => {
    const handler =
      SERVER_EVENTS[/** @type {ServerEvent["type"]} */ (event.type)] ??
      PAGE_EVENTS[/** @type {import("./types.js").PageEvent["type"]} */ (event.type)];
    /** @type {((view: View, event: AnswerEvent) => void) | undefined} */ (handler)?.(view, event);
  };
  return { card, onEvent };
}

// With the turn loop on, code blocks and calls are keyed by turn and attempt.
/** @param {{ turn?: number, attempt: number }} event */
const key = (event) => `${event.turn ?? 1}:${event.attempt}`;
/** " 2/3" when the event says how many attempts there may be. @param {{ attempt: number, maxAttempts?: number }} event */
const of = (event) => (event.maxAttempts ? ` ${event.attempt}/${event.maxAttempts}` : "");

/** @param {View} view @param {EventOf<"turn_end">} event */
function turnEnd(view, { record }) {
  if (record.kind !== "look") return;
  const block = view.codeBlocks.get(`${record.turn}:${record.attempts}`);
  const preview = record.preview ?? lookPreview(record.value);
  const look = el(
    "details",
    { class: "look" },
    el("summary", { text: `Turn ${record.turn} looked at` }),
    el("pre", { class: "look-value", text: preview }),
  );
  if (block) block.after(look);
  else view.codes.append(look);
  if (block) block.open = false;
}

/** @param {View} view @param {EventOf<"code_generated">} event */
function codeGenerated(view, event) {
  endPhase(view);
  for (const block of view.codeBlocks.values()) block.open = false;
  const code = el("code", { class: "language-python" });
  const pre = el("pre", {}, code);
  code.textContent = event.code || "(no code in the reply)";
  if (vendor.hljs && event.code) vendor.hljs.highlightElement(code);
  const bits = view.maxTurns > 1 ? [`turn ${event.turn ?? 1}`] : [];
  if (view.maxTurns <= 1 || event.attempt > 1) bits.push(`attempt${of(event)}`);
  const label = el("summary", { text: ["Code", ...bits].join(" · ") });
  const block = el("details", { class: "code", open: "" }, label, pre);
  view.codeBlocks.set(key(event), block);
  view.codes.append(block);
}

/** @param {View} view @param {EventOf<"tool_call">} event */
function toolCall(view, { call, ...event }) {
  const row = el(
    "li",
    { class: "call pending" },
    el("span", { class: "sig", text: `${call.name}(${formatArgs(call.args)})` }),
    el("span", { class: "status", text: "…" }),
  );
  row.title = `${call.name}(${short(call.args, 2000)})`;
  view.callRows.set(`${key(event)}:${call.seq}`, row);
  view.calls.append(row);
}

/** @param {View} view @param {EventOf<"tool_result">} event */
function toolResult(view, event) {
  const { record } = event;
  const row = view.callRows.get(`${key(event)}:${record.seq}`);
  if (!row) return;
  const status = /** @type {HTMLElement} */ (row.querySelector(".status"));
  const ms = `${Number(record.durationMs ?? 0).toFixed(1)} ms`;
  row.classList.remove("pending");
  row.classList.add(record.ok ? "ok" : "error");
  status.textContent = record.ok ? `✓ ${ms}` : `✗ ${record.error?.type ?? "Error"}`;
  if (record.replayed) {
    row.classList.add("replayed");
    status.textContent += " replayed (ran in an earlier attempt)";
  }
  if (!record.ok && record.error) {
    row.append(el("span", { class: "err", text: record.error.message }));
  }
}

/** @param {View} view @param {EventOf<"output">} event */
function output(view, event) {
  if (!view.output) {
    view.output = el("pre", { class: "output", title: "Printed output" });
    view.card.insertBefore(view.output, view.body);
  }
  view.output.textContent += event.text;
}

/** @param {View} view @param {EventOf<"retrying">} event */
function retrying(view, event) {
  failCurrent(view);
  markFailed(view.codeBlocks.get(key(event)));
  errorBox(view, `Attempt ${event.attempt} failed, retrying`, event.error, true);
  phase(view, "Retrying", "warn");
}

/** @param {View} view @param {EventOf<"approval_requested">} event */
function approvalRequested(view, event) {
  for (const approval of event.approvals ?? []) {
    const lineText = approval.lineText ?? lineOf(approval.code, approval.line);
    if (lineText) view.lineTexts.set(approval.id, lineText);
  }
  phase(view, "Waiting for approval");
}

/**
 * How each event the server streams is drawn; events not listed draw nothing.
 * @type {{ [K in ServerEvent["type"]]?: (view: View, event: EventOf<K>) => void }}
 */
const SERVER_EVENTS = {
  turn_start: (view, event) => {
    view.maxTurns = event.maxTurns;
    if (event.turn > 1) phase(view, `Turn ${event.turn}`);
  },
  turn_end: turnEnd,
  generating_code: (view, event) =>
    phase(view, event.attempt > 1 ? `Writing code (attempt${of(event)})` : "Writing code"),
  code_generated: codeGenerated,
  executing: (view, event) =>
    phase(view, event.attempt > 1 ? `Running (attempt${of(event)})` : "Running"),
  tool_call: toolCall,
  tool_result: toolResult,
  output,
  retrying,
  formatting: (view) => phase(view, "Formatting"),
  approval_requested: approvalRequested,
  approval_decided: (view, event) => view.approvalCards.get(event.id)?.decided(event),
  done: (view, event) => {
    if (event.result.status === "suspended") renderApprovals(view, event);
    else renderResult(view, event.result);
  },
  error: (view, event) => {
    failCurrent(view);
    errorBox(view, "The run failed", event.error.message);
  },
};
