/**
 * A failed HTTP call as the exception Python sees: a non-2xx answer names the method, the
 * path, the status and a bounded excerpt of the body, typed by what the status means
 * (401/403 `PermissionError`, 404/410 `LookupError`, 400/422 `ValueError`, 408/504
 * `TimeoutError`, else `RuntimeError`); a connection failure is `OSError`, a timeout
 * `TimeoutError`.
 */
import { errorText } from "../error-text.js";
import { ToolError } from "../errors.js";
import { boundedBody } from "./response.js";

/** The most of an error body a message quotes. */
export const ERROR_EXCERPT_CHARS = 500;

/** The Python exception type for an HTTP status that is not 2xx. */
export function pythonTypeForStatus(status: number): string {
  if (status === 401 || status === 403) return "PermissionError";
  if (status === 404 || status === 410) return "LookupError";
  if (status === 400 || status === 422 || status === 409 || status === 412 || status === 415) {
    return "ValueError";
  }
  if (status === 408 || status === 504) return "TimeoutError";
  return "RuntimeError";
}

/** `GET /pets/7 answered 404 Not Found: {"message":"no pet 7"}` as a ToolError. */
export async function httpStatusError(response: Response, where: string): Promise<ToolError> {
  let excerpt = "";
  try {
    const bytes = await boundedBody(response, where);
    excerpt = new TextDecoder().decode(bytes.subarray(0, ERROR_EXCERPT_CHARS * 4));
  } catch {
    // The status says enough.
  }
  excerpt = excerpt.replace(/\s+/g, " ").trim();
  if (excerpt.length > ERROR_EXCERPT_CHARS) excerpt = `${excerpt.slice(0, ERROR_EXCERPT_CHARS)}…`;
  const status = `${response.status}${response.statusText ? ` ${response.statusText}` : ""}`;
  return new ToolError(`${where} answered ${status}${excerpt ? `: ${excerpt}` : ""}`, {
    pythonType: pythonTypeForStatus(response.status),
  });
}

/** A request that got no answer: aborted by the run, timed out, or not connected. */
export function requestFailure(
  error: unknown,
  where: string,
  timeoutMs: number,
  aborted: boolean,
): Error {
  const name = (error as { name?: unknown })?.name;
  if (aborted && name === "AbortError") return error as Error;
  if (name === "TimeoutError" || name === "AbortError") {
    return new ToolError(
      `${where} got no answer within ${timeoutMs} ms (raise openApiTools({ timeoutMs }) if it needs longer)`,
      { pythonType: "TimeoutError", cause: error },
    );
  }
  const cause = (error as { cause?: unknown })?.cause;
  const detail = cause instanceof Error ? errorText(cause) : errorText(error);
  return new ToolError(`${where} could not be sent: ${detail}`, {
    pythonType: "OSError",
    cause: error,
  });
}
