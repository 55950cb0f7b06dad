import { InvalidOptionsError } from "../errors.js";

/**
 * Every limit a sandbox run obeys, with its default. Exceeding a limit ends the run
 * with a typed error naming the limit (except `maxOutputBytes`, which truncates the
 * printed output and says so).
 */
export interface Limits {
  /** Wall-clock time for the whole run, tool calls included. Default `30_000` ms. */
  timeoutMs: number;
  /** Heap memory of the Python program. Default `256 MiB`. Always set: Monty aborts the process on huge allocations without it. */
  maxMemoryBytes: number;
  /** Heap allocations over the whole run. Default `10_000_000`. */
  maxAllocations: number;
  /** Python call-stack depth. Default `1000` (as in CPython). */
  maxRecursionDepth: number;
  /** Size of the program text in bytes (UTF-8). Default `256 KiB`. */
  maxSourceBytes: number;
  /** Tool calls in one run, counting each element of a `parallel_map`. Default `200`. */
  maxToolCalls: number;
  /** Tool calls in flight at once (caps `parallel_map` concurrency). Default `16`. */
  maxConcurrentToolCalls: number;
  /** Size of one tool call's arguments, as JSON bytes. Default `1 MiB`. */
  maxToolArgumentBytes: number;
  /** Size of one tool call's result, as JSON bytes. Default `4 MiB`. */
  maxToolResultBytes: number;
  /**
   * Time one tool call may take before Python sees a catchable `TimeoutError` naming the
   * tool (and the tool's `signal` is aborted). Default `20_000` ms: below `timeoutMs`, so a
   * hung tool leaves the program time to handle the error. A tool's own `timeoutMs` wins.
   */
  toolTimeoutMs: number;
  /** Printed output kept; the rest is cut with a note. Default `64 KiB`. */
  maxOutputBytes: number;
  /** Size of the program's final value, as JSON bytes. Default `1 MiB`. */
  maxResultBytes: number;
  /**
   * Size of the variables a program keeps for the next one (`keepState`; the agent's
   * turns), as JSON bytes. Past it the largest variables are not kept, and the result says
   * which. Default `16 MiB`.
   */
  maxStateBytes: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  timeoutMs: 30_000,
  maxMemoryBytes: 256 * 1024 * 1024,
  maxAllocations: 10_000_000,
  maxRecursionDepth: 1000,
  maxSourceBytes: 256 * 1024,
  maxToolCalls: 200,
  maxConcurrentToolCalls: 16,
  maxToolArgumentBytes: 1024 * 1024,
  maxToolResultBytes: 4 * 1024 * 1024,
  toolTimeoutMs: 20_000,
  maxOutputBytes: 64 * 1024,
  maxResultBytes: 1024 * 1024,
  maxStateBytes: 16 * 1024 * 1024,
});

/** Merges user overrides onto the defaults, rejecting anything that is not a positive number. */
export function resolveLimits(overrides: Partial<Limits> | undefined): Limits {
  const limits: Limits = { ...DEFAULT_LIMITS };
  if (overrides === undefined) return limits;
  if (overrides === null || typeof overrides !== "object") {
    throw new InvalidOptionsError("`limits` must be an object such as { timeoutMs: 10_000 }.");
  }
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    if (!(key in DEFAULT_LIMITS)) {
      throw new InvalidOptionsError(
        `Unknown limit "${key}". Known limits: ${Object.keys(DEFAULT_LIMITS).join(", ")}.`,
      );
    }
    if (typeof value !== "number" || !(value > 0) || Number.isNaN(value)) {
      throw new InvalidOptionsError(
        `Limit "${key}" must be a positive number (got ${String(value)}); use Infinity to lift it where that makes sense.`,
      );
    }
    if (value === Number.POSITIVE_INFINITY && key === "maxMemoryBytes") {
      throw new InvalidOptionsError(
        "Limit maxMemoryBytes cannot be Infinity: without a memory cap a huge allocation aborts the sandbox process. Pass a number of bytes.",
      );
    }
    limits[key as keyof Limits] = value;
  }
  return limits;
}

/** The message for a limit that was hit: what happened and which option raises it. */
export function limitMessage(limit: keyof Limits, detail: string): string {
  return `${detail} (limit ${limit}; raise it with execute(code, { limits: { ${limit}: ... } }))`;
}
