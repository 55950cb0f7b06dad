/**
 * The journal of one durable agent run. It wraps the agent's `callLlm` and every tool's
 * `execute` so that each LLM call and each tool call is one Restate step: on a replay
 * (after the worker died) the agent and the sandbox run again from the top, but every
 * step that already completed returns its journaled result instead of running again.
 * Monty is deterministic, so the re-executed program makes the same calls in the same
 * order and is fed the same results.
 */
import type { RestatePromise, WorkflowContext } from "@restatedev/restate-sdk";
import type { AgentEvent } from "../agent/types.js";
import { ToolError } from "../errors.js";
import { decidedEvent } from "../execute/call-policy.js";
import type { ApprovalDecision, ApprovalRequest } from "../execute/types.js";
import type { CallLlm, LlmReply } from "../llm/types.js";
import { toJsonSafe } from "../sandbox/values.js";
import { MAX_TIMER_MS } from "../timer.js";
import { pythonTypeOf, thrownMessage } from "../tools/call/thrown-error.js";
import type { CompensationContext, Tool, ToolContext } from "../tools/types.js";
import { approvalKey, type DurableVerdict } from "./approvals.js";
import { journalSerde } from "./journal-codec.js";
import { remoteTargetOf } from "./remote-spec.js";
import { CallSequencer } from "./sequencer.js";
import { StepPump } from "./step-pump.js";
import {
  DEFAULT_TOOL_TIMEOUT_MS,
  durableTimeoutMs,
  runToolStep,
  type StepOutcome,
} from "./tool-step.js";

type LlmOutcome = { ok: true; reply: Exclude<LlmReply, string> } | { ok: false; message: string };

/** The workflow state key holding the run's progress events. */
export const PROGRESS_KEY = "progress";

export interface RunJournalOptions {
  /** The run's `sandbox.limits.toolTimeoutMs`, the default per-attempt timeout of a tool. */
  toolTimeoutMs?: number;
}

export class RunJournal {
  private llmCalls = 0;
  /** Compensations started so far: names each compensation step in the order they run. */
  private compensations = 0;
  /** Programs run so far (over all turns and attempts): names each tool step uniquely. */
  private execution = 0;
  private attempt = 0;
  private turn = 1;
  private maxAttempts = 1;
  private readonly progress: AgentEvent[] = [];
  private sequencer = new CallSequencer();
  private readonly pump: StepPump;
  private readonly cancelController = new AbortController();
  /** Aborted when Restate cancels the run (e.g. `PATCH /invocations/<id>/cancel`). */
  readonly cancelled: AbortSignal = this.cancelController.signal;
  /** Differs between attempts of the handler: tells a step started by a dead worker apart. */
  private readonly incarnation = `${process.pid}-${Date.now()}-${Math.random()}`;

  constructor(
    private readonly ctx: WorkflowContext,
    private readonly runId: string,
    race: <T>(values: readonly RestatePromise<T>[]) => RestatePromise<T>,
    private readonly options: RunJournalOptions = {},
  ) {
    this.pump = new StepPump(race);
  }

  /** Follows the agent's attempts and calls; pass to `agent.run(..., { onEvent })`. */
  readonly onEvent = (event: AgentEvent): void => {
    this.maxAttempts = event.maxAttempts;
    if (event.type === "executing") {
      this.execution += 1;
      this.attempt = event.attempt;
      this.turn = event.turn ?? 1;
      this.sequencer = new CallSequencer();
    } else if (event.type === "tool_result") {
      this.sequencer.release(event.record.seq);
    }
    // Only events that come at the same point of every replay (progress is journaled state).
    if (
      event.type === "generating_code" ||
      event.type === "code_generated" ||
      event.type === "executing" ||
      event.type === "retrying" ||
      event.type === "turn_start"
    ) {
      this.publish(event);
    }
  };

  /** Progress so far, readable while the run goes on (the workflow's `progress` handler). */
  private publish(event: AgentEvent): void {
    this.progress.push(event);
    this.ctx.set(PROGRESS_KEY, this.progress);
  }

  /**
   * The agent's `approvals.onApproval`: publishes the request in the progress under a key
   * that every replay computes alike (the request's own id is random), then waits on the workflow
   * promise of that key, which the `approve` handler resolves. The wait holds no sandbox
   * worker; if this worker dies meanwhile, the replay on the next one waits on the same
   * promise (or finds it resolved).
   */
  readonly onApproval = async (request: ApprovalRequest): Promise<ApprovalDecision> => {
    this.cancelled.throwIfAborted();
    const key = approvalKey(this.execution, request.seq);
    const at = {
      attempt: Math.max(1, this.attempt),
      maxAttempts: this.maxAttempts,
      turn: this.turn,
    };
    this.publish({
      type: "approval_requested",
      approvals: [
        { ...request, id: key, args: toJsonSafe(request.args) as Record<string, unknown> },
      ],
      ...at,
    });
    const verdict = await this.wait(this.ctx.promise<DurableVerdict>(key).get());
    this.publish({
      type: "approval_decided",
      ...decidedEvent({ id: key, tool: request.tool }, verdict),
      ...at,
    });
    return verdict;
  };

  /** Waits for a step; a cancellation from Restate ends the whole run. */
  private async wait<T>(promise: RestatePromise<T>): Promise<T> {
    try {
      return await this.pump.wait(promise);
    } catch (error) {
      const e = error as { code?: unknown; name?: unknown } | null;
      if (e?.code === 409 || e?.name === "CancelledError") {
        this.cancelController.abort(new Error("the run was cancelled in Restate"));
      }
      throw error;
    }
  }

  /** `callLlm` whose replies are journaled as steps `llm-1`, `llm-2`, ... */
  wrapCallLlm(callLlm: CallLlm): CallLlm {
    return async (model, system, messages, options) => {
      this.cancelled.throwIfAborted();
      this.llmCalls += 1;
      const outcome = await this.wait(
        this.ctx.run<LlmOutcome>(
          `llm-${this.llmCalls}`,
          async () => {
            try {
              const reply = await callLlm(model, system, messages, options);
              return { ok: true, reply: typeof reply === "string" ? { text: reply } : reply };
            } catch (error) {
              return { ok: false, message: thrownMessage(error) };
            }
          },
          { serde: journalSerde<LlmOutcome>() },
        ),
      );
      if (!outcome.ok) throw new Error(outcome.message);
      return outcome.reply;
    };
  }

  /** The tools with `execute` replaced by a journaled step (or a call to a remote service). */
  wrapTools(tools: readonly Tool[]): Tool[] {
    return tools.map((tool) => {
      const wrapped: Tool & { timeoutMs?: number } = {
        ...tool,
        // The step applies the tool's timeout itself, so that a timeout is journaled too; the
        // longest timer Node keeps means the dispatcher never times a step out.
        timeoutMs: MAX_TIMER_MS,
        execute: (input: Record<string, unknown>, context: ToolContext) =>
          this.callTool(tool, input, context),
        // A compensation is a step too: once done, a replay takes its outcome from the journal.
        ...(tool.compensate
          ? {
              compensate: (
                input: Record<string, unknown>,
                result: unknown,
                context: CompensationContext,
              ) => this.compensate(tool, input, result, context),
            }
          : {}),
      };
      return Object.freeze(wrapped);
    });
  }

  /**
   * Runs `tool.compensate` as step `compensate-<n>-<tool>`. Compensations run in a fixed
   * order (newest call first) after the run failed, so every replay names them alike.
   */
  private async compensate(
    tool: Tool,
    input: Record<string, unknown>,
    result: unknown,
    context: CompensationContext,
  ): Promise<unknown> {
    const n = ++this.compensations;
    const outcome = await this.wait(
      this.ctx.run<StepOutcome>(
        `compensate-${n}-${tool.name}`,
        async () => {
          try {
            return { ok: true, value: toJsonSafe(await tool.compensate!(input, result, context)) };
          } catch (error) {
            return { ok: false, type: pythonTypeOf(error), message: thrownMessage(error) };
          }
        },
        { serde: journalSerde<StepOutcome>() },
      ),
    );
    if (!outcome.ok) throw new ToolError(outcome.message, { pythonType: outcome.type });
    return outcome.value;
  }

  private async callTool(
    tool: Tool,
    input: Record<string, unknown>,
    context: ToolContext,
  ): Promise<unknown> {
    this.cancelled.throwIfAborted();
    const seq = context.callSeq;
    const sequencer = this.sequencer;
    const name = `tool-${this.execution}-${seq}-${tool.name}`;
    await sequencer.turn(seq);
    let created: { step: RestatePromise<StepOutcome> };
    try {
      // Published here, in call order, rather than from the dispatcher's own event.
      this.publish({
        type: "tool_call",
        call: { seq, name: tool.name, args: toJsonSafe(input) },
        attempt: Math.max(1, this.attempt),
        maxAttempts: this.maxAttempts,
        turn: this.turn,
      });
      created = await this.createStep(tool, input, context, name);
    } finally {
      sequencer.release(seq);
    }
    const outcome = await this.wait(created.step);
    if (!outcome.ok) throw new ToolError(outcome.message, { pythonType: outcome.type });
    return outcome.value;
  }

  /** Creates the journal entry (synchronously, unless the tool needs a start marker). */
  private async createStep(
    tool: Tool,
    input: Record<string, unknown>,
    context: ToolContext,
    name: string,
  ): Promise<{ step: RestatePromise<StepOutcome> }> {
    const serde = journalSerde<StepOutcome>();
    const remote = remoteTargetOf(tool);
    if (remote) {
      const step = this.ctx.genericCall<Record<string, unknown>, StepOutcome>({
        service: remote.service,
        method: remote.handler,
        parameter: input,
        inputSerde: journalSerde<Record<string, unknown>>(),
        outputSerde: serde,
        // Run id + program + call sequence: the same call is never run twice remotely.
        idempotencyKey: `${this.runId}:${this.execution}:${context.callSeq}`,
        name,
      });
      return { step };
    }
    const durable = tool.durable ?? {};
    const policy = {
      retries: durable.retries ?? 0,
      timeoutMs: durableTimeoutMs(tool) ?? this.options.toolTimeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS,
    };
    if (durable.idempotent === false) {
      // At most once: a marker step records who started the call. A replay that finds a
      // marker from an earlier worker (which died mid-call) raises instead of re-running.
      const startedBy = await this.wait(this.ctx.run(`${name}-start`, () => this.incarnation));
      if (startedBy !== this.incarnation) {
        const step = this.ctx.run<StepOutcome>(
          name,
          () => ({
            ok: false,
            type: "RuntimeError",
            message: `${tool.name}() was interrupted by a worker crash and is not idempotent, so it was not run again`,
          }),
          { serde },
        );
        return { step };
      }
    }
    const step = this.ctx.run<StepOutcome>(
      name,
      () => runToolStep(tool, input, context.callSeq, policy, context.signal),
      { serde },
    );
    return { step };
  }
}
