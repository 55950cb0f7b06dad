// @ts-check
// The sidebar's tool list and the suggested questions under the chat.
//
// The tool panel stays quick with hundreds of tools: a filter box (every word must match
// the name, signature or description) and items rendered a page at a time, the next page
// when the end of the list scrolls into view (or on "Show more").
import { $, el, els } from "./dom.js";

/** @typedef {import("./types.js").ToolDescription} ToolDescription */

const TOOL_PAGE = 50;
/**
 * @type {{ all: { tool: ToolDescription, text: string }[], matching: ToolDescription[],
 *   rendered: number, observer: IntersectionObserver | null }}
 */
const toolPanel = { all: [], matching: [], rendered: 0, observer: null };

/** @param {ToolDescription[]} tools */
export function renderTools(tools) {
  toolPanel.all = tools.map((tool) => ({
    tool,
    text: `${tool.name} ${tool.signature} ${tool.description ?? ""}`.toLowerCase(),
  }));
  let search = /** @type {HTMLInputElement | null} */ ($("tool-search"));
  if (!search) {
    const box = el("input", {
      id: "tool-search",
      type: "search",
      class: "tool-search",
      placeholder: "Filter tools…",
      "aria-label": "Filter tools",
      autocomplete: "off",
      oninput: () => filterTools(box.value),
    });
    search = box;
    els.tools.before(search, el("p", { id: "tool-count", class: "hint tool-count" }));
  }
  search.hidden = tools.length <= 10;
  filterTools(search.hidden ? "" : search.value);
}

/** @param {string} query */
function filterTools(query) {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  toolPanel.matching = toolPanel.all
    .filter((entry) => words.every((word) => entry.text.includes(word)))
    .map((entry) => entry.tool);
  toolPanel.rendered = 0;
  toolPanel.observer?.disconnect();
  els.tools.replaceChildren();
  const total = toolPanel.all.length;
  const count = $("tool-count");
  count.hidden = total <= 10;
  count.textContent =
    words.length === 0 ? `${total} tools` : `${toolPanel.matching.length} of ${total} tools match`;
  if (total === 0) els.tools.append(el("li", { class: "hint", text: "No tools." }));
  else if (toolPanel.matching.length === 0) {
    els.tools.append(el("li", { class: "hint", text: `No tool matches "${query.trim()}".` }));
  } else renderMoreTools();
}

function renderMoreTools() {
  els.tools.querySelector(".tools-more")?.remove();
  const { matching } = toolPanel;
  const next = matching.slice(toolPanel.rendered, toolPanel.rendered + TOOL_PAGE);
  toolPanel.rendered += next.length;
  els.tools.append(
    ...next.map((tool) =>
      el(
        "li",
        { class: "tool" },
        el("code", { text: tool.signature }),
        tool.description ? el("p", { text: tool.description.replace(/\s*\n\s*/g, " ") }) : null,
      ),
    ),
  );
  const left = matching.length - toolPanel.rendered;
  if (left <= 0) return;
  const more = el(
    "li",
    { class: "tools-more" },
    el("button", {
      type: "button",
      class: "ghost",
      text: `Show ${Math.min(left, TOOL_PAGE)} more (${left} left)`,
      onclick: renderMoreTools,
    }),
  );
  els.tools.append(more);
  if ("IntersectionObserver" in window) {
    toolPanel.observer?.disconnect();
    toolPanel.observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) renderMoreTools();
    });
    toolPanel.observer.observe(more);
  }
}

/**
 * One chip per suggested question; `onPick(text)` when one is clicked.
 * @param {string[]} nudges
 * @param {(text: string) => void} onPick
 */
export function renderNudges(nudges, onPick) {
  els.nudges.replaceChildren(
    ...nudges.map((text) =>
      el("button", { type: "button", class: "chip", text, onclick: () => onPick(text) }),
    ),
  );
}
