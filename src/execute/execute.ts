/**
 * `execute(code, options)`: run one Python program against the host's tools and
 * return a faithful record of what happened. The seed's `orchestrate_local`.
 */
import { InvalidOptionsError } from "../errors.js";
import { resolveLimits } from "../sandbox/limits.js";
import { abortOutcome, defaultSandboxPool } from "../sandbox/pool.js";
import type { RunOutcome, RunRequest } from "../sandbox/protocol.js";
import { runProgram } from "../sandbox/runner.js";
import { toPython } from "../sandbox/values.js";
import { normalizeTools } from "../tools/tool-set.js";
import type { Tool } from "../tools/types.js";
import { clampTimerMs, ToolDispatcher } from "./dispatcher.js";
import type { ExecuteOptions, ExecutionResult } from "./types.js";

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export async function execute(
  code: string,
  options: ExecuteOptions = {},
): Promise<ExecutionResult> {
  const t0 = performance.now();
  if (typeof code !== "string") {
    throw new InvalidOptionsError(`execute() needs the program as a string (got ${typeof code}).`);
  }
  const isolation = options.isolation ?? "process";
  if (isolation !== "process" && isolation !== "in-process") {
    throw new InvalidOptionsError(
      `isolation must be "process" or "in-process" (got ${String(isolation)}).`,
    );
  }
  const tools = normalizeTools(options.tools ?? []);
  const toolsByName = new Map<string, Tool>(tools.map((t) => [t.name, t]));
  const limits = resolveLimits(options.limits);
  const inputs = convertInputs(options.inputs, toolsByName);

  // One signal for the whole run: the caller's cancel, or our clock.
  const controller = new AbortController();
  const onCallerAbort = () => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) onCallerAbort();
  options.signal?.addEventListener("abort", onCallerAbort, { once: true });
  let clock: NodeJS.Timeout | undefined;
  const startClock = () => {
    if (!Number.isFinite(limits.timeoutMs)) return;
    clock = setTimeout(() => {
      const reason = new Error(
        `the run took longer than ${limits.timeoutMs} ms (limit timeoutMs; raise it with execute(code, { limits: { timeoutMs: ... } }))`,
      );
      reason.name = "TimeoutError";
      controller.abort(reason);
    }, clampTimerMs(limits.timeoutMs));
  };

  const dispatcher = new ToolDispatcher(toolsByName, limits, controller.signal, options);
  const output: string[] = [];
  const host = {
    callTools: dispatcher.callTools,
    output: (text: string) => {
      output.push(text);
      options.onOutput?.(text);
    },
    onDispatch: startClock,
  };
  const request: RunRequest = { code, inputs, limits, toolNames: [...toolsByName.keys()] };

  let outcome: RunOutcome;
  try {
    if (isolation === "in-process") {
      startClock();
      outcome = await runProgram(request, {
        ...host,
        isCancelled: () => controller.signal.aborted,
      });
      if (controller.signal.aborted && !outcome.ok && outcome.error.type === "CancelledError") {
        outcome = abortOutcome(controller.signal);
      }
    } else {
      outcome = await (options.pool ?? defaultSandboxPool()).run(request, host, controller.signal);
    }
  } finally {
    clearTimeout(clock);
    options.signal?.removeEventListener("abort", onCallerAbort);
  }
  // Stop any tool call still in flight (e.g. siblings of a parallel_map element that hit a limit).
  if (!controller.signal.aborted) controller.abort(new Error("the run ended"));

  const base = {
    output: output.join(""),
    toolCalls: dispatcher.records,
    durationMs: performance.now() - t0,
  };
  return outcome.ok
    ? { ok: true, value: outcome.value, ...base }
    : { ok: false, error: outcome.error, ...base };
}

function convertInputs(
  inputs: Record<string, unknown> | undefined,
  tools: ReadonlyMap<string, Tool>,
): Record<string, unknown> {
  if (inputs === undefined) return {};
  if (inputs === null || typeof inputs !== "object" || Array.isArray(inputs)) {
    throw new InvalidOptionsError("`inputs` must be an object mapping variable names to values.");
  }
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(inputs)) {
    if (!IDENTIFIER.test(name)) {
      throw new InvalidOptionsError(
        `Input "${name}" is not a valid Python variable name; use letters, digits and _.`,
      );
    }
    if (tools.has(name)) {
      throw new InvalidOptionsError(
        `Input "${name}" has the same name as a tool; rename one of them.`,
      );
    }
    out[name] = toPython(value, `inputs.${name}`);
  }
  return out;
}
