import { APICallError } from "@ai-sdk/provider";
import { describe, expect, it, vi } from "vitest";
import { isTransientError, retryAfterMs, withRetries } from "../../src/llm/retry.js";

function apiError(statusCode: number | undefined, responseHeaders?: Record<string, string>) {
  return new APICallError({
    message: `HTTP ${statusCode}`,
    url: "http://127.0.0.1/v1/chat/completions",
    requestBodyValues: {},
    statusCode,
    responseHeaders,
  });
}

function refused(): TypeError {
  const cause = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), {
    code: "ECONNREFUSED",
  });
  return new TypeError("fetch failed", { cause });
}

const tiny = { initialDelayMs: 1, maxDelayMs: 2 };

describe("isTransientError", () => {
  it.each([408, 409, 429, 500, 502, 503, 529])("retries HTTP %i", (status) => {
    expect(isTransientError(apiError(status))).toBe(true);
  });

  it.each([400, 401, 403, 404, 422])("does not retry HTTP %i", (status) => {
    expect(isTransientError(apiError(status))).toBe(false);
  });

  it("retries network errors, raw or wrapped by the SDK", () => {
    expect(isTransientError(refused())).toBe(true);
    const reset = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
    expect(isTransientError(reset)).toBe(true);
    const wrapped = new APICallError({
      message: "Cannot connect to API",
      url: "u",
      requestBodyValues: {},
      cause: reset,
      isRetryable: true,
    });
    expect(isTransientError(wrapped)).toBe(true);
  });

  it("does not retry aborts or plain bugs", () => {
    expect(isTransientError(new DOMException("aborted", "AbortError"))).toBe(false);
    expect(isTransientError(new Error("x is undefined"))).toBe(false);
  });
});

describe("retryAfterMs", () => {
  it("reads retry-after-ms, retry-after seconds and retry-after dates", () => {
    expect(retryAfterMs(apiError(429, { "retry-after-ms": "250" }))).toBe(250);
    expect(retryAfterMs(apiError(429, { "retry-after": "2" }))).toBe(2000);
    const inTwoSeconds = new Date(Date.now() + 2000).toUTCString();
    const fromDate = retryAfterMs(apiError(429, { "retry-after": inTwoSeconds }));
    expect(fromDate).toBeGreaterThan(0);
    expect(fromDate).toBeLessThanOrEqual(2000);
    expect(retryAfterMs(apiError(429))).toBeUndefined();
    expect(retryAfterMs(new Error("x"))).toBeUndefined();
  });
});

describe("withRetries", () => {
  it("retries transient failures and returns the first success", async () => {
    const fn = vi
      .fn<(attempt: number) => Promise<string>>()
      .mockRejectedValueOnce(apiError(429))
      .mockRejectedValueOnce(refused())
      .mockResolvedValueOnce("ok");
    await expect(withRetries(fn, tiny)).resolves.toBe("ok");
    expect(fn.mock.calls.map(([attempt]) => attempt)).toEqual([1, 2, 3]);
  });

  it("rethrows a non-transient error at once, unchanged", async () => {
    const error = apiError(400);
    const fn = vi.fn().mockRejectedValue(error);
    await expect(withRetries(fn, tiny)).rejects.toBe(error);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it("stops after maxRetries and rethrows the last error", async () => {
    const last = apiError(503);
    const fn = vi
      .fn()
      .mockRejectedValueOnce(apiError(500))
      .mockRejectedValueOnce(apiError(502))
      .mockRejectedValueOnce(last);
    await expect(withRetries(fn, { ...tiny, maxRetries: 2 })).rejects.toBe(last);
    expect(fn).toHaveBeenCalledTimes(3);
  });

  it("backs off exponentially with jitter, capped at maxDelayMs", async () => {
    const delays: number[] = [];
    const fn = vi.fn().mockRejectedValue(apiError(500));
    await expect(
      withRetries(fn, {
        maxRetries: 4,
        initialDelayMs: 8,
        maxDelayMs: 20,
        onRetry: ({ delayMs }) => delays.push(delayMs),
      }),
    ).rejects.toBeInstanceOf(APICallError);
    expect(delays).toHaveLength(4);
    const caps = [8, 16, 20, 20];
    delays.forEach((delay, i) => {
      expect(delay).toBeGreaterThanOrEqual(caps[i]! / 2);
      expect(delay).toBeLessThanOrEqual(caps[i]!);
    });
  });

  it("uses the server's retry-after, capped at maxRetryAfterMs", async () => {
    const delays: number[] = [];
    const fn = vi
      .fn()
      .mockRejectedValueOnce(apiError(429, { "retry-after-ms": "30" }))
      .mockRejectedValueOnce(apiError(429, { "retry-after": "3600" }))
      .mockResolvedValueOnce("ok");
    await withRetries(fn, {
      ...tiny,
      maxRetryAfterMs: 40,
      onRetry: ({ delayMs }) => delays.push(delayMs),
    });
    expect(delays).toEqual([30, 40]);
  });

  it("an abort during the wait rejects with the signal's reason at once", async () => {
    const controller = new AbortController();
    const fn = vi.fn().mockRejectedValue(apiError(500));
    const started = Date.now();
    setTimeout(() => controller.abort(new Error("stop")), 20);
    await expect(
      withRetries(fn, { initialDelayMs: 10_000, signal: controller.signal }),
    ).rejects.toThrow("stop");
    expect(Date.now() - started).toBeLessThan(1000);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it("does not start when the signal is already aborted", async () => {
    const fn = vi.fn();
    await expect(withRetries(fn, { signal: AbortSignal.abort() })).rejects.toMatchObject({
      name: "AbortError",
    });
    expect(fn).not.toHaveBeenCalled();
  });
});
