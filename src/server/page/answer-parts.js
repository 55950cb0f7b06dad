// @ts-check
// What an answer card is made of, and the small steps every renderer of it shares.
import { el } from "./dom.js";

/** @typedef {import("./types.js").Decisions} Decisions */
/** @typedef {import("./types.js").Failure} Failure */
/** @typedef {import("./approval-card.js").ApprovalCard} ApprovalCard */

/**
 * The approvals of one suspension, by its continuationId.
 * @typedef {{
 *   submitted(decisions: Decisions): void,
 *   failed(failure: Failure & { retry?: boolean }): void,
 * }} ApprovalGroup
 */

/**
 * An answer card's parts and what it has drawn so far.
 * @typedef {{
 *   card: HTMLElement, phases: HTMLElement, codes: HTMLElement, calls: HTMLElement,
 *   body: HTMLElement,
 *   currentPhase: HTMLElement | null,
 *   codeBlocks: Map<string, HTMLDetailsElement>,
 *   callRows: Map<string, HTMLElement>,
 *   output: HTMLElement | null,
 *   maxTurns: number,
 *   lineTexts: Map<string, string>,
 *   approvalCards: Map<string, ApprovalCard>,
 *   approvalGroups: Map<string, ApprovalGroup>,
 *   onDecide?: (continuationId: string, decisions: Decisions) => void,
 * }} View
 */

/**
 * Ends the current phase chip and starts one.
 * @param {View} view
 * @param {string} text
 */
export function phase(view, text, status = "active") {
  endPhase(view);
  const chip = el("span", { class: `phase ${status}`, text });
  view.phases.append(chip);
  view.currentPhase = chip;
  return chip;
}

/** @param {View} view */
export function endPhase(view) {
  if (view.currentPhase?.classList.contains("active")) {
    view.currentPhase.classList.replace("active", "done");
  }
}

/** @param {View} view */
export function failCurrent(view) {
  view.currentPhase?.classList.remove("active", "done");
  view.currentPhase?.classList.add("failed");
}

/**
 * @param {View} view
 * @param {string} title
 * @param {string} text
 */
export function errorBox(view, title, text, retry = false) {
  view.body.append(
    el(
      "div",
      { class: `error-box${retry ? " retry" : ""}` },
      el("strong", { text: title }),
      el("pre", { text }),
    ),
  );
}

/**
 * Marks a code block as failed.
 * @param {HTMLDetailsElement | undefined} block
 */
export function markFailed(block) {
  if (!block) return;
  block.classList.add("failed");
  const summary = /** @type {HTMLElement} */ (block.querySelector("summary"));
  summary.textContent += " · failed";
}
