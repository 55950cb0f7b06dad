// @ts-check
// The notice above the chat: the model's setup, the server being unreachable, the token form.
import { el, els } from "./dom.js";
import { setToken } from "./storage.js";

/**
 * @param {"warn" | "info"} kind
 * @param {string} title
 * @param {string} text
 * @param {string[]} [commands] shell commands shown under the text
 */
export function showNotice(kind, title, text, commands = []) {
  els.notice.className = `notice ${kind}`;
  els.notice.replaceChildren(
    el("button", {
      type: "button",
      class: "ghost icon dismiss",
      "aria-label": "Dismiss",
      text: "✕",
      onclick: () => {
        els.notice.hidden = true;
      },
    }),
    el("strong", { text: title }),
    ...(text ? [el("span", { text })] : []),
    ...commands.map((c) => el("pre", { text: c })),
  );
  els.notice.hidden = false;
}

/**
 * Asks for the server's token; `onToken` runs once it is saved.
 * @param {() => void} onToken
 */
export function showTokenForm(onToken) {
  showNotice("warn", "This chat needs a token.", "Paste the token the server was started with.");
  const input = el("input", { type: "password", placeholder: "token", "aria-label": "Token" });
  const form = el(
    "form",
    {
      /** @param {SubmitEvent} event */
      onsubmit: (event) => {
        event.preventDefault();
        setToken(input.value.trim());
        els.notice.hidden = true;
        onToken();
      },
    },
    input,
    el("button", { type: "submit", class: "primary", text: "Use token" }),
  );
  els.notice.append(form);
}
