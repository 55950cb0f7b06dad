import { APICallError } from "@ai-sdk/provider";

/** How `withRetries` retries transient failures. */
export interface RetryOptions {
  /** Retries after the first attempt. Default `3` (so at most 4 attempts). */
  maxRetries?: number;
  /** Delay before the first retry; doubles each time. Default `500` ms. */
  initialDelayMs?: number;
  /** Cap on the backoff delay. Default `8000` ms. */
  maxDelayMs?: number;
  /** Cap on a server's `retry-after` / `retry-after-ms` wish. Default `60000` ms. */
  maxRetryAfterMs?: number;
  /** Stops retrying (and any wait) at once; the promise rejects with `signal.reason`. */
  signal?: AbortSignal;
  /** Decides which errors are worth another attempt. Default `isTransientError`. */
  shouldRetry?: (error: unknown) => boolean;
  /** Called before each wait, e.g. to log "rate limited, retrying in 2 s". */
  onRetry?: (info: { error: unknown; attempt: number; delayMs: number }) => void;
}

/** HTTP statuses that mean "try again later": timeout, conflict, rate limit, server error. */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

// Node's fetch (undici) reports connection problems as `TypeError: fetch failed` with the
// system error as `cause`; these codes are worth another attempt.
const NETWORK_ERROR_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);

/**
 * True for failures that may pass on their own: HTTP 408/409/429/5xx and network errors.
 * A 400/401/403/404 means the request itself is wrong, so retrying only wastes time.
 */
export function isTransientError(error: unknown): boolean {
  if (isAbortError(error)) return false;
  if (APICallError.isInstance(error)) {
    if (error.statusCode !== undefined) return isTransientStatus(error.statusCode);
    // No status: the SDK could not talk to the server at all (it marks those retryable).
    if (error.isRetryable) return true;
    return findNetworkErrorCode(error) !== undefined;
  }
  // Errors from other clients (or our own LlmError) often carry the status as a field.
  const withStatus = error as { status?: unknown; statusCode?: unknown } | null;
  const status = withStatus?.statusCode ?? withStatus?.status;
  if (typeof status === "number") return isTransientStatus(status);
  if (findNetworkErrorCode(error) !== undefined) return true;
  return error instanceof TypeError && /fetch failed|failed to fetch/i.test(error.message);
}

/** The system error code (`ECONNREFUSED`, …) somewhere in an error's `cause` chain. */
export function findNetworkErrorCode(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current instanceof Error && !seen.has(current)) {
    seen.add(current);
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && NETWORK_ERROR_CODES.has(code)) return code;
    // AggregateError (happy eyeballs: IPv4 and IPv6 both refused) hides codes in `errors`.
    const inner = (current as { errors?: unknown }).errors;
    if (Array.isArray(inner)) {
      for (const e of inner) {
        const found = findNetworkErrorCode(e);
        if (found) return found;
      }
    }
    current = current.cause;
  }
  return undefined;
}

/**
 * Runs `fn`, retrying transient failures with exponential backoff and jitter.
 *
 * A server's `retry-after-ms` / `retry-after` header wins over the backoff (capped at
 * `maxRetryAfterMs`). Non-transient errors and the last failure are rethrown unchanged;
 * an abort rejects with `signal.reason` at once, also in the middle of a wait.
 */
export async function withRetries<T>(
  fn: (attempt: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const {
    maxRetries = 3,
    initialDelayMs = 500,
    maxDelayMs = 8000,
    maxRetryAfterMs = 60_000,
    signal,
    shouldRetry = isTransientError,
    onRetry,
  } = options;
  for (let attempt = 1; ; attempt++) {
    signal?.throwIfAborted();
    try {
      return await fn(attempt);
    } catch (error) {
      // An abort surfaces as whatever fetch threw; report the caller's own reason instead.
      if (signal?.aborted) throw signal.reason;
      if (attempt > maxRetries || !shouldRetry(error)) throw error;
      const backoff = Math.min(maxDelayMs, initialDelayMs * 2 ** (attempt - 1));
      // "Equal jitter": somewhere in [backoff/2, backoff], so parallel clients spread out.
      const jittered = backoff / 2 + Math.random() * (backoff / 2);
      const fromServer = retryAfterMs(error);
      const delayMs = Math.round(
        fromServer === undefined ? jittered : Math.min(fromServer, maxRetryAfterMs),
      );
      onRetry?.({ error, attempt, delayMs });
      await sleep(delayMs, signal);
    }
  }
}

/** The wait a server asked for in `retry-after-ms` or `retry-after` (seconds or an HTTP date). */
export function retryAfterMs(error: unknown): number | undefined {
  const headers = APICallError.isInstance(error) ? error.responseHeaders : undefined;
  if (!headers) return undefined;
  const header = (name: string) =>
    Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
  const ms = Number.parseFloat(header("retry-after-ms") ?? "");
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const value = header("retry-after");
  if (value === undefined) return undefined;
  const seconds = Number.parseFloat(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function isAbortError(error: unknown): boolean {
  return error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError");
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
