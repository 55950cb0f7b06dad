/**
 * What a tool's thrown error becomes in Python: an exception type and a message. One rule
 * for every door that runs tools (the dispatcher, and the durable steps that journal a
 * tool's outcome), so a program catches the same exception either way.
 */
import { cutErrorText, errorText } from "../../error-text.js";
import { toJsonSafe } from "../../sandbox/values.js";

/**
 * `ToolError`'s `pythonType`, `TypeError` for argument errors, `TimeoutError` for timeouts
 * and aborts, else `RuntimeError`. Duck-typed, not instanceof: a tools file loaded through
 * tsx (the CLI) gets its own copy of codemode, so its ToolError is a different class with
 * the same shape.
 */
export function pythonTypeOf(error: unknown): string {
  const e = (error ?? {}) as { code?: unknown; pythonType?: unknown; name?: unknown };
  if (e.code === "TOOL_ERROR" && typeof e.pythonType === "string") return e.pythonType;
  if (e.code === "TOOL_ARGUMENTS") return "TypeError";
  if (e.name === "TimeoutError" || e.name === "AbortError") return "TimeoutError";
  return "RuntimeError";
}

/** An Error's message, a string as it is, any other thrown value as JSON (never throws). */
export function thrownMessage(error: unknown): string {
  return cutErrorText(fullThrownMessage(error));
}

/** A thrown Error's stack (cut like a message), for the host's record; else undefined. */
export function thrownStack(error: unknown): string | undefined {
  return error instanceof Error && typeof error.stack === "string"
    ? cutErrorText(error.stack)
    : undefined;
}

function fullThrownMessage(error: unknown): string {
  if (error instanceof Error || typeof error === "string") return errorText(error);
  try {
    return JSON.stringify(toJsonSafe(error)) ?? errorText(error);
  } catch {
    return errorText(error);
  }
}
