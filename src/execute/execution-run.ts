/**
 * One program run from the host's side, in segments: it starts, and each time a tool call
 * needs a human's approval the program stops as a snapshot (no worker is held, no clock
 * runs), then continues from the snapshot once the decisions are in: at once with
 * `onApproval`, or later, in any process, through `resumeExecution`.
 */
import { randomUUID } from "node:crypto";
import { type Context, context } from "@opentelemetry/api";
import { type Limits, limitMessage, resolveLimits } from "../sandbox/limits.js";
import { abortOutcome, defaultSandboxPool } from "../sandbox/pool.js";
import type { CallOutcome, RunOutcome, RunRequest, RunSuspension } from "../sandbox/protocol.js";
import { type Sandbox, sandboxFor } from "../sandbox/sandbox.js";
import { clampTimerMs } from "../timer.js";
import type { Tool } from "../tools/types.js";
import { inProgramSpan } from "../tracing/execute-span.js";
import { maxContentChars, recordsContent } from "../tracing/spans.js";
import { type ApprovalVerdict, type EffectJournal, newJournal, verdictOf } from "./call-policy.js";
import { ToolDispatcher } from "./dispatcher.js";
import { type SuspensionSeal, sealSuspension, suspensionKey } from "./suspension-check.js";
import type {
  ApprovalDecision,
  ApprovalRequest,
  ExecuteOptions,
  ExecutionResult,
  ProgramState,
  SuspendedExecution,
  ToolCallRecord,
} from "./types.js";

/**
 * Version of the SuspendedExecution layout; a different one is refused on resume.
 * 2: the run carries a seal (see suspension-check.ts).
 */
export const SUSPENSION_VERSION = 2;

/** What a suspended run carries besides the snapshot (internal, inside SuspendedExecution). */
export interface SuspendedRun {
  suspension: RunSuspension;
  code: string;
  records: ToolCallRecord[];
  started: number;
  output: string;
  keepState: boolean;
  previousState: ProgramState | undefined;
  /** Pending approvals by id, with their place in the batch. */
  pending: { id: string; index: number }[];
  /** The journal of completed side-effecting calls (the agent run's, when it gave one). */
  journal?: EffectJournal;
  /** Checked before a resume runs anything (see suspension-check.ts). */
  seal?: SuspensionSeal;
}

/**
 * What the agent hands `execute` / `resumeExecution` besides the public options: its run's
 * journal, so every program of the run (every turn, attempt and resume) shares it.
 */
export interface RunExecuteOptions extends ExecuteOptions {
  effects?: EffectJournal;
}

/** One reason for every run's closing abort: an Error per run costs a stack capture. */
const RUN_ENDED = new Error("the run ended");

export class ExecutionRun {
  private readonly controller = new AbortController();
  private readonly dispatcher: ToolDispatcher;
  private readonly output: string[];
  private readonly limits: Limits;

  constructor(
    private readonly toolsByName: ReadonlyMap<string, Tool>,
    private readonly options: ExecuteOptions,
    private readonly code: string,
    private readonly t0: number,
    carried?: SuspendedRun,
  ) {
    this.limits = resolveLimits(options.limits);
    const run = this;
    this.output = carried ? [carried.output] : [];
    this.dispatcher = new ToolDispatcher(
      toolsByName,
      this.limits,
      this.controller.signal,
      options,
      carried ? { records: carried.records, started: carried.started } : undefined,
      {
        parent: () => this.spanCtx,
        // Read when a span records, not per run: process.env costs microseconds a read.
        get recordContent() {
          return run.recordContent;
        },
        maxContentChars: maxContentChars(options.telemetry),
      },
      (options as RunExecuteOptions).effects ?? carried?.journal ?? newJournal(),
    );
    const onCallerAbort = () => this.controller.abort(options.signal?.reason);
    if (options.signal?.aborted) onCallerAbort();
    options.signal?.addEventListener("abort", onCallerAbort, { once: true });
    this.detach = () => options.signal?.removeEventListener("abort", onCallerAbort);
  }

  private readonly detach: () => void;
  private recordContentMemo: boolean | undefined;
  /** Whether spans hold content (telemetry.recordContent, else the env), read once. */
  private get recordContent(): boolean {
    this.recordContentMemo ??= recordsContent(this.options.telemetry);
    return this.recordContentMemo;
  }
  /** The program's span context: tool calls nest under it. */
  private spanCtx: Context = context.active();

  /** Runs the program from the top, then to its end (see `finish`). */
  async start(request: Omit<RunRequest, "limits">): Promise<ExecutionResult> {
    return this.traced(false, async () =>
      this.finish(await this.segment({ ...request, limits: this.limits })),
    );
  }

  /** Continues a suspended run with the decisions for its pending calls. */
  async resume(
    carried: SuspendedRun,
    verdicts: Map<number, ApprovalVerdict>,
  ): Promise<ExecutionResult> {
    return this.traced(true, async () =>
      this.finish(await this.continueWith(carried.suspension, verdicts)),
    );
  }

  /** The program in an `execute_code` span: its size, limits, isolation and outcome. */
  private traced(resumed: boolean, run: () => Promise<ExecutionResult>): Promise<ExecutionResult> {
    const { limits, options } = this;
    return inProgramSpan(
      {
        code: this.code,
        isolation: options.isolation,
        telemetry: options.telemetry,
        recordContent: this.recordContent,
        attributes: {
          "codemode.resumed": resumed,
          "codemode.limits.timeout_ms": limits.timeoutMs,
          "codemode.limits.max_tool_calls": limits.maxToolCalls,
          "codemode.limits.max_memory_bytes": limits.maxMemoryBytes,
        },
      },
      (ctx) => {
        this.spanCtx = ctx;
        return run();
      },
      (result) =>
        result.ok
          ? { outcome: "ok", toolCalls: result.toolCalls.length }
          : result.suspended
            ? { outcome: "suspended", toolCalls: result.toolCalls.length }
            : { outcome: "error", toolCalls: result.toolCalls.length, error: result.error },
    );
  }

  /** Runs the pending batch on the host with the verdicts, then the program from its snapshot. */
  private async continueWith(
    suspension: RunSuspension,
    verdicts: Map<number, ApprovalVerdict>,
  ): Promise<RunOutcome> {
    if (this.controller.signal.aborted) return abortOutcome(this.controller.signal);
    const outcomes: CallOutcome[] = await this.dispatcher.callApproved(suspension.batch, verdicts);
    if (this.controller.signal.aborted) return abortOutcome(this.controller.signal);
    return this.segment({
      code: this.code,
      inputs: {},
      limits: this.limits,
      toolNames: [...this.toolsByName.keys()],
      resume: { suspension, outcomes },
    });
  }

  /**
   * Until the program ends: each suspension is decided by `onApproval` when there is one
   * (the wait holds no worker and no clock), else the run ends suspended.
   */
  private async finish(first: RunOutcome): Promise<ExecutionResult> {
    let outcome = first;
    try {
      while (!outcome.ok && outcome.suspension) {
        const suspension = outcome.suspension;
        const requests = this.approvalRequests();
        const onApproval = this.options.onApproval;
        if (!onApproval) return this.suspended(outcome.error, suspension, requests);
        const decisions = await this.ask(onApproval, requests);
        if (decisions === undefined) {
          outcome = abortOutcome(this.controller.signal);
          break;
        }
        const verdicts = new Map(
          requests.map((request, i) => [this.pendingIndex(request.id), verdictOf(decisions[i])]),
        );
        outcome = await this.continueWith(suspension, verdicts);
      }
    } finally {
      this.detach();
    }
    // Stop any tool call still in flight (e.g. siblings of a parallel_map element that hit a limit).
    // A run that started no call has nothing in flight, and skips the abort event's cost.
    if (this.dispatcher.callsStarted > 0 && !this.controller.signal.aborted) {
      this.controller.abort(RUN_ENDED);
    }
    const base = this.base();
    if (!outcome.ok) return { ok: false, error: outcome.error, ...base };
    if (!this.options.keepState) return { ok: true, value: outcome.value, ...base };
    return {
      ok: true,
      value: outcome.value,
      state: nextState(this.options.state, outcome),
      ...base,
    };
  }

  private base() {
    return {
      output: this.output.join(""),
      toolCalls: this.dispatcher.records,
      durationMs: performance.now() - this.t0,
    };
  }

  /** Ids for the dispatcher's pending calls, kept until the decisions come back. */
  private ids = new Map<string, number>();

  private approvalRequests(): ApprovalRequest[] {
    this.ids = new Map();
    return this.dispatcher.pending.map((pending) => {
      const id = randomUUID();
      this.ids.set(id, pending.index);
      const line = callLine(this.code, pending.tool);
      return {
        id,
        // Calls start in batch order, so the pending call's seq is known before it runs.
        seq: this.dispatcher.callsStarted + pending.index + 1,
        tool: pending.tool,
        args: pending.args,
        code: this.code,
        ...(line !== undefined ? { line } : {}),
        ...(pending.ranBefore ? { ranBefore: pending.ranBefore } : {}),
      };
    });
  }

  private pendingIndex(id: string): number {
    return this.ids.get(id)!;
  }

  /** Every request asked at once; `undefined` when the run is cancelled meanwhile. */
  private async ask(
    onApproval: NonNullable<ExecuteOptions["onApproval"]>,
    requests: ApprovalRequest[],
  ): Promise<ApprovalDecision[] | undefined> {
    const signal = this.controller.signal;
    if (signal.aborted) return undefined;
    let onAbort: (() => void) | undefined;
    const cancelled = new Promise<undefined>((resolve) => {
      onAbort = () => resolve(undefined);
      signal.addEventListener("abort", onAbort, { once: true });
    });
    try {
      return await Promise.race([
        Promise.all(requests.map(async (request) => onApproval(request))),
        cancelled,
      ]);
    } finally {
      if (onAbort) signal.removeEventListener("abort", onAbort);
    }
  }

  private suspended(
    error: { type: string; message: string },
    suspension: RunSuspension,
    requests: ApprovalRequest[],
  ): ExecutionResult {
    const run: SuspendedRun = {
      suspension,
      code: this.code,
      records: [...this.dispatcher.records],
      started: this.dispatcher.callsStarted,
      output: this.output.join(""),
      keepState: this.options.keepState === true,
      previousState: this.options.state,
      pending: requests.map((r) => ({ id: r.id, index: this.pendingIndex(r.id) })),
      journal: this.dispatcher.journal,
    };
    const key = suspensionKey(this.options.suspensionSecret);
    run.seal = sealSuspension(run, requests, this.limits, key);
    const suspended: SuspendedExecution = {
      version: SUSPENSION_VERSION,
      approvals: requests,
      toolNames: [...this.toolsByName.keys()],
      run,
    };
    const message =
      `${error.message}: the program is suspended at the call. Decide each of ` +
      "result.suspended.approvals and continue with resumeExecution(result.suspended, decisions, options), " +
      "or pass onApproval to decide inline.";
    return {
      ok: false,
      error: { type: "ApprovalRequired", message },
      suspended,
      ...this.base(),
    };
  }

  /** One segment: from the start or a snapshot to the end or the next suspension. */
  private async segment(request: RunRequest): Promise<RunOutcome> {
    const { options, controller, limits } = this;
    let clock: NodeJS.Timeout | undefined;
    const startClock = () => {
      if (!Number.isFinite(limits.timeoutMs)) return;
      clock = setTimeout(() => {
        // `limit` tells the outcome (abortOutcome) the run's own clock ran out.
        const reason = Object.assign(
          new Error(limitMessage("timeoutMs", `the run took longer than ${limits.timeoutMs} ms`)),
          { name: "TimeoutError", limit: "timeoutMs" },
        );
        controller.abort(reason);
      }, clampTimerMs(limits.timeoutMs));
    };
    const host = {
      callTools: this.dispatcher.callTools,
      output: (text: string) => {
        this.output.push(text);
        options.onOutput?.(text);
      },
      onDispatch: startClock,
    };
    try {
      return await sandboxOf(options).run(request, host, controller.signal);
    } finally {
      clearTimeout(clock);
    }
  }
}

/**
 * Where the run's programs run and are type-checked: the process pool (`options.pool`, else
 * the shared one) or, with `isolation: "in-process"`, the host's own thread.
 */
export function sandboxOf(options: Pick<ExecuteOptions, "isolation" | "pool">): Sandbox {
  return sandboxFor(options.isolation, () => options.pool ?? defaultSandboxPool());
}

/** The line that calls `tool`, when the program names it on exactly one line. */
function callLine(code: string, tool: string): number | undefined {
  const pattern = new RegExp(`\\b${tool}\\b`);
  const lines = code.split("\n");
  const found = lines.flatMap((text, i) => (pattern.test(text) ? [i + 1] : []));
  return found.length === 1 ? found[0] : undefined;
}

export function nextState(
  previous: ProgramState | undefined,
  outcome: RunOutcome & { ok: true },
): ProgramState {
  const variables: Record<string, unknown> = { ...(previous?.variables ?? {}) };
  const kept = outcome.state;
  if (!kept) return { variables, dropped: [] };
  for (const { name } of kept.dropped) delete variables[name];
  Object.assign(variables, kept.values);
  return { variables, dropped: kept.dropped };
}
