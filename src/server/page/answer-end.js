// @ts-check
// How a run ends in its answer card: the answer (or the failure), the approvals a suspended
// run waits on, and the page's own events about them (PageEvent in types.js).

import { endPhase, errorBox, failCurrent, markFailed, phase } from "./answer-parts.js";
import { approvalCard } from "./approval-card.js";
import { chartFrame } from "./charts.js";
import { el, formatArgs, short, vendor } from "./dom.js";

/** @typedef {import("./answer-parts.js").View} View */
/** @typedef {import("./types.js").StoredDoneEvent} StoredDoneEvent */
/** @typedef {import("./types.js").StoredResult} StoredResult */
/** @typedef {import("./types.js").PageEvent} PageEvent */
/** @typedef {import("./types.js").ApprovalDecision} ApprovalDecision */

/**
 * One card per pending approval; the decisions go out once every card is decided.
 * @param {View} view
 * @param {StoredDoneEvent} event
 */
export function renderApprovals(view, event) {
  const pending = event.result.pendingApprovals ?? [];
  const id = event.continuationId;
  const group = el("div", { class: "approvals" });
  if (id) group.dataset.continuationId = id;
  /** @type {Record<string, ApprovalDecision>} */
  const chosen = {};
  const cards = pending.map((approval) =>
    approvalCard(approval, view.lineTexts.get(approval.id), {
      readOnly: !id,
      onChoose: (decision) => {
        chosen[approval.id] = decision;
        const left = pending.filter((a) => !(a.id in chosen)).length;
        if (left === 0 && id) view.onDecide?.(id, { ...chosen });
        return left;
      },
    }),
  );
  for (const [i, card] of cards.entries()) {
    view.approvalCards.set(/** @type {string} */ (pending[i]?.id), card);
  }
  group.append(...cards.map((card) => card.node));
  if (!id) {
    group.append(
      el("p", {
        class: "approval-note",
        text:
          event.resumeUnavailable ??
          "This run waits for approval, but this server cannot resume it.",
      }),
    );
  }
  view.body.append(group);
  if (!id) return;
  view.approvalGroups.set(id, {
    submitted: (decisions) => {
      for (const [key, decision] of Object.entries(decisions ?? {})) {
        view.approvalCards.get(key)?.sent(decision);
      }
    },
    failed: (failure) => {
      for (const key of Object.keys(chosen)) delete chosen[key];
      for (const card of cards) card.failed(failure);
    },
  });
}

/**
 * The end of a run that did not suspend: its answer or its failure, then a line of numbers.
 * @param {View} view
 * @param {StoredResult} result
 */
export function renderResult(view, result) {
  if (result.error) renderFailure(view, result, result.error);
  else renderAnswer(view, result);
  const usage = result.usage ?? {};
  const calls = Array.isArray(result.toolCalls) ? result.toolCalls.length : view.callRows.size;
  const turns = Array.isArray(result.turns) ? result.turns.length : 0;
  const parts = [
    ...(view.maxTurns > 1 ? [`${turns || "?"} turn${turns === 1 ? "" : "s"}`] : []),
    `${result.attempts} attempt${result.attempts === 1 ? "" : "s"}`,
    `${calls} tool call${calls === 1 ? "" : "s"}`,
    `${((result.durationMs ?? 0) / 1000).toFixed(1)} s`,
  ];
  if (usage.inputTokens || usage.outputTokens) {
    parts.push(`tokens ${usage.inputTokens ?? 0} in / ${usage.outputTokens ?? 0} out`);
  }
  view.card.append(el("div", { class: "meta", text: parts.join(" · ") }));
  endPhase(view);
}

/**
 * @param {View} view
 * @param {StoredResult} result
 * @param {string} error
 */
function renderFailure(view, result, error) {
  failCurrent(view);
  if (result.code) markFailed([...view.codeBlocks.values()].at(-1));
  phase(view, "Failed", "failed");
  errorBox(view, "The run failed", error);
  // What the run already changed: it happened, so the person should not redo it blindly.
  if (!Array.isArray(result.effects) || result.effects.length === 0) return;
  view.body.append(
    el(
      "div",
      { class: "effects" },
      el("strong", { text: "These calls completed before the failure and changed things" }),
      el(
        "ul",
        {},
        ...result.effects.map((e) =>
          el("li", {
            class: e.ok ? "ok" : "error",
            text: `${e.tool}(${formatArgs(e.args)}) ${e.ok ? `→ ${short(e.result, 200)}` : `✗ ${e.error?.type ?? "Error"}`}`,
          }),
        ),
      ),
    ),
  );
}

/**
 * @param {View} view
 * @param {StoredResult} result
 */
function renderAnswer(view, result) {
  phase(view, "Done", "done");
  // The answer is what matters now; the code and the looks stay one click away.
  for (const block of view.codeBlocks.values()) block.open = false;
  for (const look of view.codes.querySelectorAll("details.look")) {
    /** @type {HTMLDetailsElement} */ (look).open = false;
  }
  const summary = el("div", { class: "summary" });
  const { marked, DOMPurify, hljs } = vendor;
  const html = marked ? marked.parse(result.summary ?? "") : "";
  // The summary is model output: sanitize before it touches the DOM.
  summary.innerHTML = DOMPurify ? DOMPurify.sanitize(html) : "";
  if (!marked || !DOMPurify) summary.textContent = result.summary ?? "";
  for (const code of summary.querySelectorAll("pre code")) {
    hljs?.highlightElement(/** @type {HTMLElement} */ (code));
  }
  view.body.append(summary);
  if (Array.isArray(result.charts) && result.charts.length > 0) {
    view.body.append(el("div", { class: "charts" }, ...result.charts.map(chartFrame)));
  }
}

/**
 * How each of the page's own events is drawn.
 * @type {{ [K in PageEvent["type"]]: (view: View, event: Extract<PageEvent, { type: K }>) => void }}
 */
export const PAGE_EVENTS = {
  client_error: (view, event) => {
    failCurrent(view);
    errorBox(view, event.title, event.message);
  },
  approval_submitted: (view, event) =>
    view.approvalGroups.get(event.continuationId)?.submitted(event.decisions),
  approval_error: (view, event) => view.approvalGroups.get(event.continuationId)?.failed(event),
};
