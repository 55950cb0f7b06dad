/**
 * The host side of every tool call: the trust boundary. Arguments from the sandbox are
 * counted, sized, bound to parameters and validated before a tool runs; results are
 * converted and sized before they go back. A failure becomes a Python exception the
 * program can catch, unless it is a limit, which ends the run.
 */
import { type Context, context, trace } from "@opentelemetry/api";
import { type Limits, limitMessage } from "../sandbox/limits.js";
import type { CallBatch, CallOutcome, CallRequest, HostAnswer } from "../sandbox/protocol.js";
import { jsonByteSize, toJsonSafe, toPython } from "../sandbox/values.js";
import { prepareCall } from "../tools/call/prepare-call.js";
import { pythonTypeOf, thrownMessage, thrownStack } from "../tools/call/thrown-error.js";
import { hasSideEffects } from "../tools/define/annotations.js";
import type { Tool } from "../tools/types.js";
import { CallInFlight, toolTimeoutMessage } from "./call-in-flight.js";
import { CallLog, type CallLogSink } from "./call-log.js";
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
import type { ExecuteOptions, ToolCallRecord } from "./types.js";

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
  /** Where each call's record goes (see call-log.ts). */
  private readonly sink: CallLogSink;

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
    this.sink = { records: this.records, journal, events, trace: this.trace };
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

  /**
   * One call, from the sandbox's request to the answer Python gets. Each step that can end
   * the call returns `log.fail(...)`, so every ending is recorded once.
   */
  private async callOne(call: CallRequest, index: number): Promise<CallOutcome> {
    const log = new CallLog(this.sink, call.name, ++this.started);
    const rawArgs = { args: call.args, kwargs: call.kwargs };
    const tool = this.tools.get(call.name);
    if (!tool) {
      return log.fail(toJsonSafe(rawArgs), "NameError", `name '${call.name}' is not defined`);
    }
    const { maxToolArgumentBytes } = this.limits;
    if (jsonByteSize(rawArgs, maxToolArgumentBytes) > maxToolArgumentBytes) {
      const detail = `the arguments of ${call.name}() are more than ${maxToolArgumentBytes} bytes as JSON`;
      return log.fail(
        { truncated: true },
        "ToolArgumentsTooLargeError",
        limitMessage("maxToolArgumentBytes", detail),
        "maxToolArgumentBytes",
      );
    }
    // Most validators answer synchronously: skip the extra await for them.
    const preparing = prepareCall(tool, call.args, call.kwargs);
    const prepared = preparing instanceof Promise ? await preparing : preparing;
    if (!prepared.ok) {
      const shown = prepared.bound ? toJsonSafe(prepared.bound) : toJsonSafe(rawArgs);
      return log.fail(shown, "TypeError", prepared.message);
    }
    const shownArgs = toJsonSafe(prepared.bound);
    const verdict = this.verdicts?.get(index);
    if (verdict && !verdict.approved) {
      const why = verdict.reason?.trim() ? `: ${verdict.reason.trim()}` : "";
      return log.fail(shownArgs, "PermissionError", `${call.name}() was not approved${why}`);
    }
    const replay = this.replays?.get(index);
    if (replay) return this.replay(log, replay, shownArgs);
    this.events.onToolCall?.({ seq: log.seq, name: call.name, args: shownArgs });
    if (this.signal.aborted) return log.fail(shownArgs, "CancelledError", "the run ended", true);
    const ran = await this.invoke(log, tool, prepared.value, shownArgs);
    return "result" in ran ? this.answer(log, ran.result, shownArgs) : ran;
  }

  /** A call an earlier attempt of this turn completed: its outcome again, without running. */
  private replay(log: CallLog, entry: JournalEntry, shownArgs: unknown): CallOutcome {
    log.replayed = true;
    this.events.onToolCall?.({ seq: log.seq, name: log.name, args: shownArgs, replayed: true });
    if (!entry.ok) return log.fail(shownArgs, entry.error!.type, entry.error!.message);
    return log.succeed(shownArgs, toPython(entry.value, `${log.name}() result`));
  }

  /**
   * Runs the tool under its deadline and the run's signal, in its span's context (so the
   * tool's own spans nest under the call). A throw, a timeout or the run's end becomes the
   * call's failure; otherwise the raw result comes back for `answer`.
   */
  private async invoke(
    log: CallLog,
    tool: Tool,
    input: Record<string, unknown>,
    shownArgs: unknown,
  ): Promise<{ result: unknown } | CallOutcome> {
    // The arguments as they were before the tool could touch them.
    const effectArgs = hasSideEffects(tool)
      ? (toJsonSafe(input) as Record<string, unknown>)
      : undefined;
    // Each call gets its own signal: aborted when the run ends or when this call times out.
    // Cheap on the hot path: one listener on the run's signal serves every call in flight,
    // and the per-call AbortController exists only if the tool reads `signal`.
    const flight = new CallInFlight(log.name, tool.timeoutMs ?? this.limits.toolTimeoutMs);
    this.watchRunAbort();
    this.inFlight.add(flight);
    const run = () => {
      log.effect = effectArgs;
      return tool.execute(input, flight.context(log.seq));
    };
    const span = log.span;
    try {
      const result = await flight.wait(
        span.isRecording()
          ? () => context.with(trace.setSpan(this.trace.parent(), span), run)
          : run,
      );
      return { result };
    } catch (error) {
      if (this.signal.aborted) return log.fail(shownArgs, "CancelledError", "the run ended", true);
      if (flight.timedOut) {
        return log.fail(shownArgs, "TimeoutError", toolTimeoutMessage(log.name, flight.timeoutMs));
      }
      return log.fail(
        shownArgs,
        pythonTypeOf(error),
        thrownMessage(error),
        false,
        thrownStack(error),
      );
    } finally {
      flight.settle();
      this.inFlight.delete(flight);
    }
  }

  /** The tool's result as Python gets it: converted, and within `maxToolResultBytes`. */
  private answer(log: CallLog, result: unknown, shownArgs: unknown): CallOutcome {
    let value: unknown;
    try {
      value = toPython(result, `${log.name}() result`);
    } catch (error) {
      return log.fail(
        shownArgs,
        "TypeError",
        `${log.name}() returned a value Python cannot hold: ${thrownMessage(error)}`,
      );
    }
    const { maxToolResultBytes } = this.limits;
    if (jsonByteSize(value, maxToolResultBytes) > maxToolResultBytes) {
      const detail = `${log.name}() returned more than ${maxToolResultBytes} bytes as JSON`;
      return log.fail(
        shownArgs,
        "ToolResultTooLargeError",
        limitMessage("maxToolResultBytes", detail),
        "maxToolResultBytes",
      );
    }
    return log.succeed(shownArgs, value);
  }
}
