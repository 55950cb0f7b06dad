/**
 * The host side of every tool call: the trust boundary. Arguments from the sandbox are
 * counted, sized, bound to parameters and validated before a tool runs; results are
 * converted and sized before they go back. A failure becomes a Python exception the
 * program can catch, unless it is a limit, which ends the run.
 */
import { type Context, context, type Span, SpanStatusCode, trace } from "@opentelemetry/api";
import { cutErrorText, MAX_ERROR_CHARS } from "../error-text.js";
import type { LimitName } from "../sandbox/error-types.js";
import { type Limits, limitMessage } from "../sandbox/limits.js";
import type { CallBatch, CallOutcome, CallRequest, HostAnswer } from "../sandbox/protocol.js";
import { jsonByteSize, toJsonSafe, toPython } from "../sandbox/values.js";
import { clampTimerMs } from "../timer.js";
import { prepareCall } from "../tools/call/prepare-call.js";
import { pythonTypeOf, thrownMessage, thrownStack } from "../tools/call/thrown-error.js";
import { hasSideEffects } from "../tools/define/annotations.js";
import type { Tool, ToolContext } from "../tools/types.js";
import {
  contentText,
  DEFAULT_MAX_CONTENT_CHARS,
  ERROR_CHARS_WITHOUT_CONTENT,
  tracer,
} from "../tracing/spans.js";
import {
  type ApprovalVerdict,
  callKey,
  commitReplays,
  type EffectJournal,
  hasReplayable,
  type JournalEntry,
  newJournal,
  ranBefore,
  replayFor,
} from "./call-policy.js";
import type { ExecuteOptions, ToolCallError, ToolCallRecord } from "./types.js";

type Events = Pick<ExecuteOptions, "onToolCall" | "onToolResult">;

/** A call held for a human: its place in the batch, and what the human is shown. */
export interface HeldCall {
  index: number;
  tool: string;
  /** The validated arguments by parameter name, JSON-safe. */
  args: Record<string, unknown>;
  /** Times the run already completed this call (a side-effecting tool's), when it did. */
  ranBefore?: number;
}

export class ToolDispatcher {
  readonly records: ToolCallRecord[];
  private started: number;
  private readonly inFlight = new Set<CallInFlight>();
  private watchingRunAbort = false;
  /** Verdicts for the batch being resumed, by index; used once, by that batch. */
  private verdicts: Map<number, ApprovalVerdict> | undefined;
  /** The calls of the batch that stopped the program, waiting for a human. */
  pending: HeldCall[] = [];
  /** Calls of the batch in flight that replay a journaled call instead of running, by index. */
  private replays: Map<number, JournalEntry> | undefined;

  constructor(
    private readonly tools: ReadonlyMap<string, Tool>,
    private readonly limits: Limits,
    private readonly signal: AbortSignal,
    private readonly events: Events,
    /** Where a program resumed after an approval left off. */
    carried: { records: ToolCallRecord[]; started: number } = { records: [], started: 0 },
    /** The span tool calls nest under (the program's), and whether to record content. */
    private readonly trace: {
      parent: () => Context;
      recordContent: boolean;
      maxContentChars?: number;
    } = {
      parent: () => context.active(),
      recordContent: false,
    },
    /** The run's journal of completed side-effecting calls (this program's alone by default). */
    readonly journal: EffectJournal = newJournal(),
  ) {
    this.records = [...carried.records];
    this.started = carried.started;
  }

  /** Calls started so far (the next call's seq is one more). */
  get callsStarted(): number {
    return this.started;
  }

  /** Runs a batch again with a human's verdicts for its pending calls (a resume). */
  async callApproved(
    batch: CallBatch,
    verdicts: Map<number, ApprovalVerdict>,
  ): Promise<CallOutcome[]> {
    this.verdicts = verdicts;
    this.pending = [];
    try {
      const answer = await this.callTools(batch);
      if (!Array.isArray(answer)) throw new Error("a resumed batch asked for approval again");
      return answer;
    } finally {
      this.verdicts = undefined;
    }
  }

  readonly callTools = async (batch: CallBatch): Promise<HostAnswer> => {
    const { maxToolCalls } = this.limits;
    if (this.started + batch.calls.length > maxToolCalls) {
      const detail =
        batch.calls.length > 1
          ? `a parallel_map of ${batch.calls.length} calls after ${this.started} calls would pass ${maxToolCalls} tool calls`
          : `the program made more than ${maxToolCalls} tool calls`;
      const outcome: CallOutcome = {
        ok: false,
        fatal: true,
        type: "ToolCallLimitError",
        message: limitMessage("maxToolCalls", detail),
        limit: "maxToolCalls",
      };
      return batch.calls.map(() => outcome);
    }
    // Which calls replay is settled for the whole batch first, in call order, so that a
    // replayed call is never asked about and identical calls match entries in order.
    const replays = await this.replaysOf(batch);
    if (this.verdicts === undefined) {
      const pending = await this.approvalsNeeded(batch, replays?.byIndex);
      if (pending.length > 0) {
        // Nothing in the batch runs: the program stops here until a human decides.
        this.pending = pending;
        const names = [...new Set(pending.map((p) => `${p.tool}()`))].join(", ");
        return { suspend: true, reason: `${names} needs approval before it runs` };
      }
    }
    if (replays) {
      commitReplays(this.journal, replays.pending);
      this.replays = replays.byIndex;
    }
    try {
      return await this.runBatch(batch);
    } finally {
      this.replays = undefined;
    }
  };

  private async runBatch(batch: CallBatch): Promise<CallOutcome[]> {
    const { maxConcurrentToolCalls } = this.limits;
    // The common case, one call: no lanes, no Promise.all.
    if (batch.calls.length === 1) return [await this.callOne(batch.calls[0]!, 0)];
    const concurrency = Math.max(
      1,
      Math.min(batch.concurrency ?? maxConcurrentToolCalls, maxConcurrentToolCalls),
    );
    const outcomes: CallOutcome[] = new Array(batch.calls.length);
    let next = 0;
    const lane = async () => {
      while (next < batch.calls.length) {
        const index = next++;
        outcomes[index] = await this.callOne(batch.calls[index]!, index);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, batch.calls.length) }, lane));
    return outcomes;
  }

  /**
   * In a retry, the calls of `batch` that replay a call an earlier attempt of this turn
   * completed: the k-th call with the same tool and canonical arguments gets the k-th
   * entry. The claims (`pending`) are committed to the journal only once the batch runs.
   * Nothing to do (no await, no work) in a first attempt.
   */
  private async replaysOf(
    batch: CallBatch,
  ): Promise<{ byIndex: Map<number, JournalEntry>; pending: Map<string, number> } | undefined> {
    const journal = this.journal;
    if (journal.replayEnd <= journal.turnStart) return undefined;
    const pending = new Map<string, number>();
    const byIndex = new Map<number, JournalEntry>();
    for (const [index, call] of batch.calls.entries()) {
      const tool = this.tools.get(call.name);
      if (!tool || !hasSideEffects(tool) || !hasReplayable(journal, call.name)) continue;
      const prepared = await prepareCall(tool, call.args, call.kwargs);
      if (!prepared.ok) continue;
      const entry = replayFor(journal, callKey(call.name, toJsonSafe(prepared.value)), pending);
      if (entry) byIndex.set(index, entry);
    }
    return byIndex.size > 0 ? { byIndex, pending } : undefined;
  }

  /**
   * The calls of `batch` whose tool asks for approval (`needsApproval`: true, or true for
   * these arguments). A call whose arguments do not validate needs none: it will not run.
   * A `needsApproval` function that throws counts as "yes": asking is the safe side.
   */
  private async approvalsNeeded(
    batch: CallBatch,
    replays: ReadonlyMap<number, JournalEntry> | undefined,
  ): Promise<HeldCall[]> {
    const pending: HeldCall[] = [];
    for (const [index, call] of batch.calls.entries()) {
      const tool = this.tools.get(call.name);
      // A replayed call does not run, so there is nothing to approve.
      if (!tool?.needsApproval || replays?.has(index)) continue;
      const prepared = await prepareCall(tool, call.args, call.kwargs);
      if (!prepared.ok) continue;
      let needed = true;
      if (typeof tool.needsApproval === "function") {
        try {
          needed = (await tool.needsApproval(prepared.value)) !== false;
        } catch {
          needed = true;
        }
      }
      if (needed) {
        const args = toJsonSafe(prepared.bound) as Record<string, unknown>;
        const before = hasSideEffects(tool)
          ? ranBefore(this.journal, callKey(call.name, toJsonSafe(prepared.value)))
          : 0;
        pending.push({
          index,
          tool: call.name,
          args,
          ...(before > 0 ? { ranBefore: before } : {}),
        });
      }
    }
    return pending;
  }

  /** One listener on the run's signal, added on the first call, aborts every call in flight. */
  private watchRunAbort(): void {
    if (this.watchingRunAbort) return;
    this.watchingRunAbort = true;
    this.signal.addEventListener(
      "abort",
      () => {
        for (const flight of this.inFlight) flight.abort(this.signal.reason);
      },
      { once: true },
    );
  }

  private async callOne(call: CallRequest, index: number): Promise<CallOutcome> {
    const seq = ++this.started;
    const startedAt = Date.now();
    const t0 = performance.now();
    // An `execute_tool {name}` span per call; with no tracer provider it is a no-op.
    const span = tracer().startSpan(
      `execute_tool ${call.name}`,
      {
        attributes: {
          "gen_ai.operation.name": "execute_tool",
          "gen_ai.tool.name": call.name,
          "gen_ai.tool.call.id": String(seq),
        },
      },
      this.trace.parent(),
    );
    // Set once a side-effecting tool's execute is called: its outcome goes in the journal.
    let effect: Record<string, unknown> | undefined;
    let replayed = false;
    const record = (args: unknown, end: { result: unknown } | { error: ToolCallError }) => {
      if (span.isRecording()) {
        if (replayed) span.setAttribute("codemode.tool.replayed", true);
        endToolSpan(
          span,
          args,
          end,
          this.trace.recordContent,
          this.trace.maxContentChars ?? DEFAULT_MAX_CONTENT_CHARS,
        );
      }
      const entry: ToolCallRecord = {
        seq,
        name: call.name,
        args,
        ok: "result" in end,
        ...("result" in end ? { result: toJsonSafe(end.result) } : { error: end.error }),
        startedAt,
        durationMs: performance.now() - t0,
        ...(effect ? { sideEffect: true as const } : {}),
        ...(replayed ? { replayed: true as const } : {}),
      };
      if (effect) {
        const journal = this.journal;
        journal.entries.push({
          tool: call.name,
          args: effect,
          ...("result" in end ? { ok: true, value: end.result } : { ok: false, error: end.error }),
          turn: journal.turn,
          attempt: journal.attempt,
          seq,
        });
      }
      this.records.push(entry);
      this.events.onToolResult?.(entry);
    };
    const fail = (
      args: unknown,
      type: string,
      fullMessage: string,
      /** Ends the run: `true`, or the name of the limit that was hit. */
      fatal: boolean | LimitName = false,
      stack?: string,
    ): CallOutcome => {
      const message = cutErrorText(fullMessage);
      // The stack stays in the host's record; Python (and so the model) gets the message.
      record(args, { error: { type, message, ...(stack ? { stack } : {}) } });
      if (!fatal) return { ok: false, type, message };
      return { ok: false, type, message, fatal: true, ...(fatal === true ? {} : { limit: fatal }) };
    };

    const rawArgs = { args: call.args, kwargs: call.kwargs };
    const tool = this.tools.get(call.name);
    if (!tool) return fail(toJsonSafe(rawArgs), "NameError", `name '${call.name}' is not defined`);
    const argumentBytes = jsonByteSize(rawArgs, this.limits.maxToolArgumentBytes);
    if (argumentBytes > this.limits.maxToolArgumentBytes) {
      const detail = `the arguments of ${call.name}() are more than ${this.limits.maxToolArgumentBytes} bytes as JSON`;
      return fail(
        { truncated: true },
        "ToolArgumentsTooLargeError",
        limitMessage("maxToolArgumentBytes", detail),
        "maxToolArgumentBytes",
      );
    }

    // Most validators answer synchronously: skip the extra await for them.
    const pending = prepareCall(tool, call.args, call.kwargs);
    const prepared = pending instanceof Promise ? await pending : pending;
    if (!prepared.ok) {
      const shown = prepared.bound ? toJsonSafe(prepared.bound) : toJsonSafe(rawArgs);
      return fail(shown, "TypeError", prepared.message);
    }
    const shownArgs = toJsonSafe(prepared.bound);
    const verdict = this.verdicts?.get(index);
    if (verdict && !verdict.approved) {
      const why = verdict.reason?.trim() ? `: ${verdict.reason.trim()}` : "";
      return fail(shownArgs, "PermissionError", `${call.name}() was not approved${why}`);
    }
    const replay = this.replays?.get(index);
    if (replay) {
      // Completed by an earlier attempt of this turn: its outcome again, without running.
      replayed = true;
      this.events.onToolCall?.({ seq, name: call.name, args: shownArgs, replayed: true });
      if (!replay.ok) return fail(shownArgs, replay.error!.type, replay.error!.message);
      const value = toPython(replay.value, `${call.name}() result`);
      record(shownArgs, { result: value });
      return { ok: true, value };
    }
    this.events.onToolCall?.({ seq, name: call.name, args: shownArgs });
    if (this.signal.aborted) return fail(shownArgs, "CancelledError", "the run ended", true);
    const sideEffect = hasSideEffects(tool);
    // The arguments as they were before the tool could touch them.
    const effectArgs = sideEffect
      ? (toJsonSafe(prepared.value) as Record<string, unknown>)
      : undefined;

    // Each call gets its own signal: aborted when the run ends or when this call times out.
    // Cheap on the hot path: one listener on the run's signal serves every call in flight,
    // and the per-call AbortController exists only if the tool reads `signal`.
    const timeoutMs = tool.timeoutMs ?? this.limits.toolTimeoutMs;
    const flight = new CallInFlight();
    let timedOut = false;
    const timer = Number.isFinite(timeoutMs)
      ? setTimeout(() => {
          timedOut = true;
          const reason = new Error(toolTimeoutMessage(call.name, timeoutMs));
          reason.name = "TimeoutError";
          flight.abort(reason);
        }, clampTimerMs(timeoutMs))
      : undefined;
    this.watchRunAbort();
    this.inFlight.add(flight);
    let result: unknown;
    try {
      // The tool runs in its span's context, so the tool's own spans nest under it.
      const run = () => {
        effect = effectArgs;
        return tool.execute(prepared.value, flight.context(seq));
      };
      result = await flight.wait(
        span.isRecording()
          ? () => context.with(trace.setSpan(this.trace.parent(), span), run)
          : run,
      );
    } catch (error) {
      if (this.signal.aborted) return fail(shownArgs, "CancelledError", "the run ended", true);
      if (timedOut) {
        return fail(shownArgs, "TimeoutError", toolTimeoutMessage(call.name, timeoutMs));
      }
      return fail(shownArgs, pythonTypeOf(error), thrownMessage(error), false, thrownStack(error));
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(flight);
    }

    let value: unknown;
    try {
      value = toPython(result, `${call.name}() result`);
    } catch (error) {
      return fail(
        shownArgs,
        "TypeError",
        `${call.name}() returned a value Python cannot hold: ${thrownMessage(error)}`,
      );
    }
    const resultBytes = jsonByteSize(value, this.limits.maxToolResultBytes);
    if (resultBytes > this.limits.maxToolResultBytes) {
      const detail = `${call.name}() returned more than ${this.limits.maxToolResultBytes} bytes as JSON`;
      return fail(
        shownArgs,
        "ToolResultTooLargeError",
        limitMessage("maxToolResultBytes", detail),
        "maxToolResultBytes",
      );
    }
    record(shownArgs, { result: value });
    return { ok: true, value };
  }
}

/** Ends a tool call's span with its outcome (and, when asked, its arguments and result). */
function endToolSpan(
  span: Span,
  args: unknown,
  end: { result: unknown } | { error: { type: string; message: string } },
  recordContent: boolean,
  maxContent: number,
): void {
  if (recordContent) {
    span.setAttribute("gen_ai.tool.call.arguments", contentText(safeJson(args), maxContent));
    if ("result" in end) {
      span.setAttribute("gen_ai.tool.call.result", contentText(safeJson(end.result), maxContent));
    }
  }
  if ("error" in end) {
    const message = cutErrorText(
      end.error.message,
      recordContent ? MAX_ERROR_CHARS : ERROR_CHARS_WITHOUT_CONTENT,
    );
    span.setStatus({ code: SpanStatusCode.ERROR, message });
    span.setAttribute("error.type", end.error.type);
    span.recordException({ name: end.error.type, message });
  }
  span.end();
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(toJsonSafe(value)) ?? "null";
  } catch {
    return String(value);
  }
}

function toolTimeoutMessage(name: string, timeoutMs: number): string {
  return (
    `${name}() did not finish within ${timeoutMs} ms (limit toolTimeoutMs; raise it with ` +
    `execute(code, { limits: { toolTimeoutMs: ... } }), or for this tool alone with ` +
    `defineTool({ timeoutMs: ... }))`
  );
}

/**
 * One tool call in flight: its abort reason, the signal handed to the tool (made on first
 * read), and the host's wait for the result, which an abort ends even when the tool ignores
 * its signal.
 */
class CallInFlight {
  private controller: AbortController | undefined;
  private reason: unknown;
  private aborted = false;
  private stopWaiting: ((reason: unknown) => void) | undefined;

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.controller?.abort(reason);
    this.stopWaiting?.(reason);
  }

  context(callSeq: number): ToolContext {
    return new CallContext(this, callSeq);
  }

  /** The tool's signal, made on first read. */
  signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  wait<T>(run: () => T | Promise<T>): Promise<T> {
    if (this.aborted) return Promise.reject(this.reason);
    return new Promise<T>((resolve, reject) => {
      this.stopWaiting = reject;
      // Not `resolve(run())`: resolving with a pending promise locks this one to it, and
      // an abort could no longer end the wait.
      let result: T | Promise<T>;
      try {
        result = run();
      } catch (error) {
        reject(error);
        return;
      }
      Promise.resolve(result).then(resolve, reject);
    });
  }
}

/** What a tool's `execute` receives; a class so the lazy `signal` getter is on the prototype. */
class CallContext implements ToolContext {
  constructor(
    private readonly flight: CallInFlight,
    readonly callSeq: number,
  ) {}

  get signal(): AbortSignal {
    return this.flight.signal();
  }
}
