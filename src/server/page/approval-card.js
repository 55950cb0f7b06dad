// @ts-check
// The card for one call waiting for approval: its tool, line and arguments, Approve / Deny.
import { el } from "./dom.js";

/** @typedef {import("./types.js").PendingApproval} PendingApproval */
/** @typedef {import("./types.js").ApprovalDecision} ApprovalDecision */
/** @typedef {import("./types.js").Failure} Failure */
/** @typedef {Extract<import("./types.js").ServerEvent, { type: "approval_decided" }>} ApprovalDecidedEvent */

/**
 * What the answer view does with a card once it is shown.
 * @typedef {{
 *   node: HTMLElement,
 *   sent(decision: ApprovalDecision): void,
 *   decided(event: ApprovalDecidedEvent): void,
 *   failed(failure: Failure & { retry?: boolean }): void,
 * }} ApprovalCard
 */

const LONG_VALUE_CHARS = 240;
const LONG_VALUE_LINES = 8;

/**
 * An argument's value as text (strings as they are, the rest as pretty JSON), long ones folded.
 * @param {unknown} value
 */
function argValue(value) {
  /** @type {string} */
  let text;
  if (typeof value === "string") text = value;
  else {
    try {
      text = JSON.stringify(value, null, 2) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  const lines = text.split("\n");
  if (text.length <= LONG_VALUE_CHARS && lines.length <= LONG_VALUE_LINES) {
    return el("pre", { class: "arg-value", text });
  }
  const head = (lines[0] ?? "").slice(0, 80);
  return el(
    "details",
    { class: "arg-long" },
    el("summary", {
      text: `${head}${head.length < text.length ? "…" : ""} (${text.length} characters)`,
    }),
    el("pre", { class: "arg-value", text }),
  );
}

/** @param {unknown} args */
function argsList(args) {
  if (!args || typeof args !== "object" || Array.isArray(args)) return argValue(args);
  const entries = Object.entries(args);
  if (entries.length === 0) return el("p", { class: "hint", text: "No arguments." });
  const list = el("dl", { class: "approval-args" });
  for (const [name, value] of entries)
    list.append(el("dt", { text: name }), el("dd", {}, argValue(value)));
  return list;
}

/**
 * A card for one call waiting for approval. Everything model-made (the tool's arguments,
 * the line) goes in as text, never as HTML. `onChoose(decision)` records one decision and
 * answers how many of the run's approvals are still undecided.
 * @param {PendingApproval} approval
 * @param {string | undefined} lineText
 * @param {{ readOnly: boolean, onChoose: (decision: ApprovalDecision) => number }} options
 * @returns {ApprovalCard}
 */
export function approvalCard(approval, lineText, { readOnly, onChoose }) {
  const status = el("p", { class: "approval-status", role: "status" });
  const reason = el("input", {
    type: "text",
    class: "approval-reason",
    maxlength: "2000",
    placeholder: "Reason (optional)",
    "aria-label": `Reason for ${approval.tool}`,
  });
  const approve = el("button", { type: "button", class: "primary approve", text: "Approve" });
  const deny = el("button", { type: "button", class: "danger deny", text: "Deny" });
  const actions = el("div", { class: "approval-actions" }, reason, approve, deny);
  const node = el(
    "section",
    { class: "approval", "aria-label": `Approval for ${approval.tool}` },
    el(
      "div",
      { class: "approval-head" },
      el("span", { class: "approval-badge", text: "Needs approval" }),
      el("code", { class: "approval-tool", text: `${approval.tool}()` }),
    ),
    approval.line
      ? el(
          "div",
          { class: "approval-line" },
          el("span", { text: `line ${approval.line}` }),
          lineText ? el("code", { text: lineText }) : null,
        )
      : null,
    argsList(approval.args),
    approval.ranBefore
      ? el("div", {
          class: "approval-repeat",
          text: `This call already ran ${approval.ranBefore === 1 ? "once" : `${approval.ranBefore} times`} in this run, with the same arguments.`,
        })
      : null,
    readOnly ? null : actions,
    status,
  );
  node.dataset.approvalId = approval.id;
  /** @param {boolean} enabled */
  const setButtons = (enabled) => {
    for (const control of [reason, approve, deny]) control.disabled = !enabled;
    // Once decided, the status line says what was chosen; the controls step aside.
    actions.hidden = !enabled;
  };
  /**
   * @param {string} state
   * @param {string} text
   */
  const show = (state, text) => {
    node.dataset.state = state;
    status.textContent = text;
  };
  /** @param {boolean} approved */
  const choose = (approved) => {
    const why = reason.value.trim();
    const decision = why ? { approved, reason: why } : approved;
    setButtons(false);
    const left = onChoose(decision);
    show(
      approved ? "approved" : "denied",
      left > 0
        ? `${approved ? "Approved" : "Denied"}; decide the other ${left} to continue.`
        : "Sending…",
    );
  };
  approve.addEventListener("click", () => choose(true));
  deny.addEventListener("click", () => choose(false));
  /**
   * @param {boolean} approved
   * @param {string | undefined} why
   */
  const decisionText = (approved, why) =>
    `${approved ? "Approved" : "Denied"}${why ? `: ${why}` : ""}`;
  return {
    node,
    sent(decision) {
      setButtons(false);
      const approved =
        decision === true || (typeof decision === "object" && decision?.approved === true);
      reason.value = typeof decision === "object" ? (decision.reason ?? "") : "";
      show(approved ? "approved" : "denied", `${decisionText(approved, reason.value)} · sent`);
    },
    decided(event) {
      setButtons(false);
      show(event.approved ? "approved" : "denied", decisionText(event.approved, event.reason));
    },
    failed(failure) {
      setButtons(Boolean(failure.retry));
      show("error", `${failure.title}: ${failure.message}`);
    },
  };
}
