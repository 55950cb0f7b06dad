// @ts-check
// The page's elements and small DOM and formatting helpers.

/** @param {string} id */
export const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

export const els = {
  messages: $("messages"),
  empty: $("empty"),
  nudges: $("nudges"),
  composer: /** @type {HTMLFormElement} */ ($("composer")),
  input: /** @type {HTMLTextAreaElement} */ ($("input")),
  send: /** @type {HTMLButtonElement} */ ($("send")),
  stop: /** @type {HTMLButtonElement} */ ($("stop")),
  tools: $("tools"),
  notice: $("notice"),
  model: $("model"),
  sidebar: $("sidebar"),
};

/**
 * An element: `class`, `text`, `on<event>` handlers and attributes from `props`; children
 * appended (null ones skipped). Text goes in as text, never as HTML.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, string | ((event: any) => void)>} [props]
 * @param {...(Node | string | null | undefined | false)} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (typeof value === "function") node.addEventListener(key.slice(2), value);
    else if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

/**
 * A value as one line of JSON, cut at `max` characters.
 * @param {unknown} value
 */
export function short(value, max = 80) {
  /** @type {string | undefined} */
  let text;
  try {
    text = JSON.stringify(value);
  } catch {
    text = String(value);
  }
  if (text === undefined) text = "";
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** A call's arguments as `name=value, …`. @param {unknown} args */
export function formatArgs(args) {
  if (args && typeof args === "object" && !Array.isArray(args)) {
    return Object.entries(args)
      .map(([k, v]) => `${k}=${short(v, 40)}`)
      .join(", ");
  }
  return short(args);
}

/** A look's value as short text: enough to see its shape, never megabytes in the DOM. @param {unknown} value */
export function lookPreview(value) {
  /** @type {string} */
  let text;
  try {
    text = JSON.stringify(value, null, 1) ?? "None";
  } catch {
    text = String(value);
  }
  return text.length > 2000
    ? `${text.slice(0, 2000)}\n… (${text.length - 2000} more characters)`
    : text;
}

/**
 * Line `line` (1-based) of `code`, trimmed.
 * @param {unknown} code
 * @param {number | undefined} line
 */
export function lineOf(code, line) {
  if (typeof code !== "string" || !line) return undefined;
  return code.split("\n")[line - 1]?.trim();
}

export function scrollToEnd() {
  els.messages.scrollTop = els.messages.scrollHeight;
}

export function isDark() {
  const forced = document.documentElement.dataset.theme;
  if (forced) return forced === "dark";
  return matchMedia("(prefers-color-scheme: dark)").matches;
}

/**
 * The browser libraries index.html loads before the page (absent if one failed to load).
 * @type {{
 *   hljs?: { highlightElement(element: HTMLElement): void },
 *   marked?: { parse(markdown: string): string },
 *   DOMPurify?: { sanitize(html: string): string },
 * }}
 */
export const vendor = /** @type {any} */ (window);
