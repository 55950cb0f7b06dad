// @ts-check
// Talking to the server: JSON GETs, and POSTs whose answer streams NDJSON events.
import { token } from "./storage.js";

/** @typedef {import("./types.js").ServerEvent} ServerEvent */
/** @typedef {import("./types.js").Failure} Failure */

/** @returns {Record<string, string>} */
export function authHeaders() {
  const value = token();
  return value ? { authorization: `Bearer ${value}` } : {};
}

/**
 * A GET's status and JSON body (`{}` when the body is not JSON); the caller says what it expects.
 * @param {string} path
 * @returns {Promise<{ status: number, body: unknown }>}
 */
export async function getJson(path) {
  const response = await fetch(path, {
    headers: { accept: "application/json", ...authHeaders() },
  });
  const body = await response.json().catch(() => ({}));
  return { status: response.status, body };
}

/** Titles for the server's refusals, by error code. @type {Record<string, string>} */
const REFUSALS = {
  MODEL_NOT_CONFIGURED: "No model configured",
  BUSY: "The server is busy",
  UNAUTHORIZED: "Not signed in",
  BODY_TOO_LARGE: "The chat is too long",
  APPROVAL_GONE: "No longer waiting",
  RESUME_NOT_SUPPORTED: "Cannot resume here",
};

/**
 * POSTs `body` to `path` and feeds the NDJSON events to `record`; a refusal, a cut-off
 * stream or a network failure goes to `refused({ title, message, status? })` instead.
 * @param {string} path
 * @param {unknown} body
 * @param {(event: ServerEvent) => void} record
 * @param {AbortController} controller
 * @param {(failure: Failure) => void} refused
 */
export async function streamRun(path, body, record, controller, refused) {
  let ended = false;
  /** @param {ServerEvent} event */
  const onEvent = (event) => {
    if (event.type === "done" || event.type === "error") ended = true;
    record(event);
  };
  try {
    const response = await fetch(path, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/x-ndjson",
        ...authHeaders(),
      },
      body: JSON.stringify(body),
      signal: controller.signal,
    });
    if (!response.ok) {
      const answer = await response.json().catch(() => ({}));
      const message = answer.error?.message ?? `HTTP ${response.status}`;
      const title = REFUSALS[answer.error?.code] ?? `The server refused (${response.status})`;
      refused({ title, message, status: response.status });
    } else {
      await readNdjson(response, onEvent);
      if (!ended) {
        refused({
          title: "The answer was cut off",
          message: "The connection closed before the run finished. Try again.",
        });
      }
    }
  } catch (error) {
    if (controller.signal.aborted) {
      refused({ title: "Stopped", message: "You stopped this run." });
    } else {
      refused({
        title: "Could not reach the server",
        message: String(/** @type {Error} */ (error)?.message ?? error),
      });
    }
  }
}

/**
 * @param {Response} response
 * @param {(event: ServerEvent) => void} onEvent
 */
async function readNdjson(response, onEvent) {
  const reader = /** @type {ReadableStream<Uint8Array>} */ (response.body).getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (value) buffer += decoder.decode(value, { stream: true });
    let newline = buffer.indexOf("\n");
    while (newline !== -1) {
      const line = buffer.slice(0, newline).trim();
      buffer = buffer.slice(newline + 1);
      if (line) onEvent(JSON.parse(line));
      newline = buffer.indexOf("\n");
    }
    if (done) break;
  }
  if (buffer.trim()) onEvent(JSON.parse(buffer));
}
