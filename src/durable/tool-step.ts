/**
 * One tool call as the body of a durable step: the tool runs (with the retries and the
 * per-attempt timeout of its `durableTool` options) and its outcome, success or Python
 * exception, becomes plain data that is written to the journal. Failures are data, not
 * throws, so a replay raises exactly the exception the first run raised.
 */

import { toPython } from "../sandbox/values.js";
import { clampTimerMs } from "../timer.js";
import { pythonTypeOf, thrownMessage } from "../tools/call/thrown-error.js";
import type { Tool } from "../tools/types.js";

/** What a durable tool step records. */
export type StepOutcome =
  | { ok: true; value: unknown }
  | { ok: false; type: string; message: string };

export interface ToolStepPolicy {
  /** Extra attempts after a failure that is not a deliberate Python exception. */
  retries: number;
  /** Milliseconds one attempt may take. */
  timeoutMs: number;
}

export const DEFAULT_TOOL_TIMEOUT_MS = 20_000;

/** A tool's own time limit: `durableTool(..., { timeoutMs })`, else `defineTool({ timeoutMs })`. */
export function durableTimeoutMs(tool: Tool): number | undefined {
  return tool.durable?.timeoutMs ?? tool.timeoutMs;
}

/** Runs `tool` under `policy`; never rejects. */
export async function runToolStep(
  tool: Tool,
  input: Record<string, unknown>,
  callSeq: number,
  policy: ToolStepPolicy,
  runSignal?: AbortSignal,
): Promise<StepOutcome> {
  let last: StepOutcome = { ok: false, type: "RuntimeError", message: "the tool did not run" };
  for (let attempt = 0; attempt <= policy.retries; attempt++) {
    if (runSignal?.aborted) return { ok: false, type: "CancelledError", message: "the run ended" };
    const controller = new AbortController();
    const onRunAbort = () => controller.abort(runSignal?.reason);
    runSignal?.addEventListener("abort", onRunAbort, { once: true });
    const timer = setTimeout(() => {
      const reason = new Error(
        `${tool.name}() took longer than ${policy.timeoutMs} ms (raise it with durableTool(tool, { timeoutMs }))`,
      );
      reason.name = "TimeoutError";
      controller.abort(reason);
    }, clampTimerMs(policy.timeoutMs));
    try {
      const result = await untilAborted(
        Promise.resolve().then(() => tool.execute(input, { signal: controller.signal, callSeq })),
        controller.signal,
      );
      try {
        return { ok: true, value: toPython(result, `${tool.name}() result`) };
      } catch (error) {
        return {
          ok: false,
          type: "TypeError",
          message: `${tool.name}() returned a value Python cannot hold: ${thrownMessage(error)}`,
        };
      }
    } catch (error) {
      if (runSignal?.aborted)
        return { ok: false, type: "CancelledError", message: "the run ended" };
      last = { ok: false, type: pythonTypeOf(error), message: thrownMessage(error) };
      // A deliberate Python exception (ToolError, bad arguments) is the tool's answer.
      if (isDeliberate(error)) return last;
    } finally {
      clearTimeout(timer);
      runSignal?.removeEventListener("abort", onRunAbort);
    }
    if (attempt < policy.retries) await sleep(Math.min(100 * 2 ** attempt, 5_000));
  }
  return last;
}

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// Duck-typed like the dispatcher: a tools file loaded through tsx has its own codemode copy.
function isDeliberate(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "TOOL_ERROR" || code === "TOOL_ARGUMENTS";
}
