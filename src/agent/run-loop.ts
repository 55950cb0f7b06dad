/**
 * One agent run as a resumable loop. Everything the loop knows lives in `LoopState`, plain
 * data, so a run that stops for a human's approval can be sealed into a continuation and
 * picked up later, in this process or another, exactly where it stopped: same turn, same
 * attempt, same conversation, the program itself continued from its snapshot.
 */
import { type Context, context, type Span } from "@opentelemetry/api";
import { cutErrorText, errorText } from "../error-text.js";
import type { ConversationStateError } from "../errors.js";
import {
  beginProgram,
  checkDecision,
  type EffectJournal,
  effectOf,
  effectsOfCalls,
  newJournal,
  pendingApproval,
  verdictOf,
} from "../execute/call-policy.js";
import { execute } from "../execute/execute.js";
import type { RunExecuteOptions } from "../execute/execution-run.js";
import { resumeSuspended } from "../execute/resume.js";
import type {
  ApprovalDecision,
  ApprovalRequest,
  ExecutionResult,
  ProgramState,
  SuspendedExecution,
} from "../execute/types.js";
import type { ChatMessage, UsageTotals } from "../llm/types.js";
import type { Tool } from "../tools/types.js";
import { endRunSpan, inRunSpan, markTurnSpan, startTurnSpan } from "../tracing/agent-spans.js";
import { compensateEffects } from "./compensate.js";
import { boundConversationState, type ConversationState } from "./conversation-state.js";
import * as events from "./events.js";
import { emitEvent } from "./events.js";
import { extractCode, findCode } from "./extract-code.js";
import { observationMessage } from "./observation.js";
import type { ResolvedAgentOptions } from "./options.js";
import { retryMessage } from "./prompt.js";
import { shapeResult } from "./result-shape.js";
import type {
  AgentEvent,
  AgentResult,
  AgentRunOptions,
  AgentToolCall,
  AgentTurn,
  AttemptInfo,
  Compensation,
} from "./types.js";

/** The run so far: the conversation, the counters, the record. Plain data (v8-serializable). */
export interface LoopState {
  messages: ChatMessage[];
  turn: number;
  /** The attempt within the turn. */
  attempt: number;
  /** Programs run over the whole run. */
  attempts: number;
  code: string;
  /** The reply whose program is running (it goes into the conversation after the run). */
  reply: string;
  /** Variables earlier turns kept. */
  programState?: ProgramState;
  /** The conversation's state the run started from (what a failed run hands back). */
  startState?: ConversationState;
  /** The chat the run belongs to (`AgentRunOptions.chatId`): its state is bound to it. */
  chatId?: string;
  turns: AgentTurn[];
  toolCalls: AgentToolCall[];
  turnCalls: AgentToolCall[];
  usage: UsageTotals;
  /** Epoch ms the current turn started. */
  turnStartedAt: number;
  /** Time spent running before this process picked the run up (waits not counted). */
  elapsedMs: number;
  /**
   * The run's completed side-effecting calls, over every turn and attempt: a retry replays
   * them instead of running them again. In the continuation, so it survives a resume.
   */
  journal: EffectJournal;
  /** Set after a failed attempt: the next LLM call asks for a fix. */
  retrying?: boolean;
  /** What the failed attempt printed (kept if the retry's LLM call fails). */
  failedOutput?: string;
}

/** What the loop needs of its agent. */
export interface LoopContext {
  readonly tools: readonly Tool[];
  /** Programs get `search_tools` / `describe_tool` (the prompt lists tools compactly). */
  readonly toolDiscovery: boolean;
  /** The agent's options, resolved once (defaults applied). */
  readonly options: ResolvedAgentOptions;
  ask(messages: ChatMessage[], usage: UsageTotals, signal?: AbortSignal): Promise<string>;
  /** Seals a suspended run into a continuation string. */
  seal(state: LoopState, suspended: SuspendedExecution): string;
}

export function initialState(messages: ChatMessage[]): LoopState {
  return {
    messages,
    turn: 0,
    attempt: 0,
    attempts: 0,
    code: "",
    reply: "",
    turns: [],
    toolCalls: [],
    turnCalls: [],
    usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
    turnStartedAt: Date.now(),
    elapsedMs: 0,
    journal: newJournal(),
  };
}

type Entry =
  | { kind: "start" }
  | {
      kind: "resume";
      suspended: SuspendedExecution;
      decisions: Readonly<Record<string, ApprovalDecision>>;
    };

/** One step of the loop: a program's outcome to classify, or the run's end. */
type Step = { result: ExecutionResult } | { end: AgentResult };

type Judged =
  | { kind: "answer"; value: unknown; summary: string; charts: AgentResult["charts"] }
  | { kind: "look"; value: unknown }
  | { kind: "failure"; error: string };

export class AgentRun {
  private readonly t0 = performance.now();
  private readonly loop: boolean;

  constructor(
    private readonly ctx: LoopContext,
    private readonly ls: LoopState,
    private readonly runOptions: AgentRunOptions,
    /** Why the `state` the caller passed was refused, for the result. */
    private readonly stateError?: ConversationStateError,
  ) {
    this.loop = ctx.options.loop;
    // A continuation sealed before runs kept a journal starts one now.
    ls.journal ??= newJournal();
  }

  private info = (): AttemptInfo => ({
    attempt: Math.max(1, this.ls.attempt),
    maxAttempts: this.ctx.options.maxAttempts,
    turn: Math.max(1, this.ls.turn),
  });

  private emit = (event: AgentEvent): void => emitEvent(this.runOptions.onEvent, event);

  /** Where the run is, for the turn events. */
  private position = (): events.TurnPosition => ({
    turn: this.ls.turn,
    maxTurns: this.ctx.options.maxTurns,
    maxAttempts: this.ctx.options.maxAttempts,
  });

  /** The run in an `invoke_agent codemode` span; turns, LLM calls and programs nest in it. */
  async drive(entry: Entry): Promise<AgentResult> {
    const { options } = this.ctx;
    return inRunSpan(
      {
        model: options.model,
        maxTurns: options.maxTurns,
        resumed: entry.kind === "resume",
        telemetry: options.telemetry,
      },
      async (span, runCtx) => {
        this.runCtx = runCtx;
        let result: AgentResult;
        try {
          result = await this.loopOnce(entry);
        } catch (error) {
          // Whatever a program or a tool set does, the run resolves: failed, saying why.
          const why = cutErrorText(errorText(error));
          const name = error instanceof Error ? error.name : "Error";
          this.endTurn({ code: this.ls.code, kind: "failed", error: why, output: "" });
          result = this.finish({ error: `The run failed: ${name}: ${why}` });
        }
        this.closeTurnSpan();
        if (result.status === "failed" && this.ctx.options.compensateOnFailure) {
          const compensations = await this.compensate(result);
          if (compensations.length > 0) result.compensations = compensations;
        }
        // Last, so that `done` carries everything (the compensations included).
        this.emit(events.done(result, this.info()));
        endRunSpan(span, result, options.telemetry);
        return result;
      },
    );
  }

  /** Undoes the run's completed calls whose tools can (`compensateOnFailure`). */
  private compensate(result: AgentResult): Promise<Compensation[]> {
    return compensateEffects({
      journal: this.ls.journal,
      tools: this.ctx.tools,
      limits: this.ctx.options.limits,
      reason: this.runOptions.signal?.aborted ? "cancelled" : "failed",
      error: result.error,
      parent: this.runCtx,
      onCompensation: (compensation) => this.emit(events.compensation(compensation, this.info())),
    });
  }

  private runCtx: Context = context.active();
  private turnSpan: Span | undefined;
  private turnCtx: Context | undefined;

  /** Runs `fn` with the current turn's span active (the run's before the first turn). */
  private inTurn<T>(fn: () => Promise<T>): Promise<T> {
    return context.with(this.turnCtx ?? this.runCtx, fn);
  }

  private closeTurnSpan(): void {
    this.turnSpan?.end();
    this.turnSpan = undefined;
    this.turnCtx = undefined;
  }

  private openTurnSpan(): void {
    this.closeTurnSpan();
    const { span, ctx } = startTurnSpan(this.ls.turn, this.runCtx);
    this.turnSpan = span;
    this.turnCtx = ctx;
  }

  /**
   * The turn state machine: each pass asks for a program (unless a resumed one is pending),
   * runs it and classifies the outcome, until an outcome ends the run.
   */
  private async loopOnce(entry: Entry): Promise<AgentResult> {
    let pending: ExecutionResult | undefined;
    if (entry.kind === "resume") pending = await this.resumeProgram(entry);
    else this.startTurn();
    for (;;) {
      const step = pending ? { result: pending } : await this.nextProgram();
      pending = undefined;
      if ("end" in step) return step.end;
      const end = this.classify(step.result);
      if (end) return end;
    }
  }

  /** Resuming: the decisions' events, then the suspended program continued. */
  private resumeProgram(entry: Extract<Entry, { kind: "resume" }>): Promise<ExecutionResult> {
    for (const approval of entry.suspended.approvals) {
      const verdict = verdictOf(entry.decisions[approval.id]);
      this.emit(events.approvalDecided(approval, verdict, this.info()));
    }
    this.emit(events.executing(this.info()));
    this.openTurnSpan();
    return this.inTurn(() =>
      resumeSuspended(entry.suspended, entry.decisions, this.executeOptions(), true),
    );
  }

  /** Asks the model (unless a reply is waiting), reviews its program and runs it. */
  private async nextProgram(): Promise<Step> {
    const { ls } = this;
    if (ls.reply === "") {
      const asked = await this.askModel();
      if (asked) return { end: asked };
    }
    const found = this.loop ? findCode(ls.reply) : extractCode(ls.reply);
    if (found === null) {
      // The loop's plain-text reply: the answer.
      this.endTurn({ code: "", kind: "reply", output: "" });
      this.emit(events.formatting(this.info()));
      return { end: this.finish({ summary: ls.reply.trim() }) };
    }
    ls.code = found;
    ls.attempt += 1;
    ls.attempts += 1;
    this.emit(events.codeGenerated(ls.code, this.info()));
    const rejected = await this.review(ls.code);
    if (rejected !== undefined) {
      const error = { type: "ProgramRejected", message: rejected } as const;
      return { result: { ok: false, error, output: "", toolCalls: [], durationMs: 0 } };
    }
    return { result: await this.runProgram() };
  }

  /** Runs `ls.code` in the current turn, with the earlier turns' variables. */
  private runProgram(): Promise<ExecutionResult> {
    const { ls, ctx } = this;
    this.emit(events.executing(this.info()));
    beginProgram(ls.journal, ls.turn, ls.attempt);
    return this.inTurn(() =>
      execute(ls.code, {
        ...this.executeOptions(),
        typeCheck: ctx.options.typeCheck,
        ...(this.loop ? { keepState: true } : {}),
        ...(ls.programState ? { state: ls.programState } : {}),
      }),
    );
  }

  /** What a program's outcome means: the run's result, or nothing when the loop goes on. */
  private classify(result: ExecutionResult): AgentResult | undefined {
    const { ls } = this;
    if (!result.ok && result.suspended) return this.suspend(result.suspended, result.output);
    for (const call of result.toolCalls) {
      const tagged = { ...call, turn: ls.turn, attempt: ls.attempt };
      ls.toolCalls.push(tagged);
      ls.turnCalls.push(tagged);
    }
    const judged = this.judge(result);
    if (judged.kind === "answer") return this.answered(result, judged);
    if (judged.kind === "look") return this.looked(result, judged.value);
    return this.failedAttempt(result, judged.error);
  }

  /** An answer: the run is done. */
  private answered(result: ExecutionResult, judged: Extract<Judged, { kind: "answer" }>) {
    const { ls } = this;
    const output = result.output;
    if (result.ok && result.state) ls.programState = result.state;
    this.endTurn({ code: ls.code, kind: "answer", value: judged.value, output });
    this.emit(events.formatting(this.info()));
    return this.finish({
      value: judged.value,
      summary: judged.summary,
      charts: judged.charts,
      output,
    });
  }

  /** A look: its value goes back to the model, its variables to the next program. */
  private looked(result: ExecutionResult, value: unknown): AgentResult | undefined {
    const { ls, ctx } = this;
    const output = result.output;
    if (result.ok) ls.programState = result.state;
    const observation = observationMessage({
      turn: ls.turn,
      maxTurns: ctx.options.maxTurns,
      value,
      output,
      toolCalls: ls.turnCalls,
      state: ls.programState,
      effects: effectsOfCalls(ls.turnCalls),
      maxBytes: ctx.options.maxObservationBytes,
    });
    this.endTurn({ code: ls.code, kind: "look", value, output, observation });
    ls.messages.push(
      { role: "assistant", content: ls.reply },
      { role: "user", content: observation },
    );
    if (ls.turn >= ctx.options.maxTurns) {
      return this.finish({
        value,
        output,
        error:
          `Reached maxTurns (${ctx.options.maxTurns}) without a final answer: the last program returned a value without "summary". ` +
          "Raise the limit with new CodeModeAgent({ turns: { maxTurns } }) (codemode: --max-turns), or ask for something narrower.",
      });
    }
    this.startTurn();
    return undefined;
  }

  /** A failed attempt: the model is asked for a fix, or the run fails when out of attempts. */
  private failedAttempt(result: ExecutionResult, error: string): AgentResult | undefined {
    const { ls, ctx } = this;
    const output = result.output;
    if (ls.attempt >= ctx.options.maxAttempts || this.runOptions.signal?.aborted) {
      this.endTurn({ code: ls.code, kind: "failed", error, output });
      return this.finish({
        output,
        error: `Sandbox execution failed after ${ls.attempt} attempt(s): ${error}`,
        ...(!result.ok ? { executionError: result.error } : {}),
      });
    }
    this.emit(events.retrying(error, this.info()));
    ls.messages.push(
      { role: "assistant", content: ls.reply },
      { role: "user", content: retryMessage(error, ls.code, output, this.turnEffects()) },
    );
    ls.reply = "";
    ls.retrying = true;
    ls.failedOutput = output;
    return undefined;
  }

  /** The calls this turn's attempts completed that changed things. */
  private turnEffects() {
    const { journal } = this.ls;
    return journal.entries.slice(journal.turnStart).map(effectOf);
  }

  /** The next LLM reply into `ls.reply`; a failed call ends the run (the result). */
  private async askModel(): Promise<AgentResult | undefined> {
    const { ls, ctx } = this;
    const retry = ls.retrying === true;
    const failedOutput = ls.failedOutput ?? "";
    // Consumed here, so a sealed continuation carries neither.
    delete ls.retrying;
    delete ls.failedOutput;
    this.emit(
      events.generatingCode(
        retry
          ? { attempt: ls.attempt + 1, maxAttempts: ctx.options.maxAttempts, turn: ls.turn }
          : this.info(),
      ),
    );
    try {
      ls.reply = await this.inTurn(() => ctx.ask(ls.messages, ls.usage, this.runOptions.signal));
      return undefined;
    } catch (error) {
      const why = cutErrorText(errorText(error));
      const text = retry
        ? `Retry LLM call failed: ${why}`
        : `${ls.turn === 1 ? "Code generation" : "The LLM call"} failed: ${why}`;
      const output = retry ? failedOutput : "";
      this.endTurn({ code: retry ? ls.code : "", kind: "failed", error: text, output });
      return this.finish({ error: text, ...(retry ? { output } : {}) });
    }
  }

  private startTurn(): void {
    const { ls } = this;
    ls.turn += 1;
    ls.attempt = 0;
    ls.reply = "";
    ls.turnCalls = [];
    ls.turnStartedAt = Date.now();
    this.openTurnSpan();
    if (this.loop) this.emit(events.turnStart(this.position()));
  }

  /** The execute() options every program of the run shares. */
  private executeOptions(): RunExecuteOptions {
    const { options } = this.ctx;
    const { signal } = this.runOptions;
    const onApproval = options.onApproval;
    return {
      tools: this.ctx.tools,
      effects: this.ls.journal,
      suspensionSecret: options.continuation.sealKey,
      ...(this.ctx.toolDiscovery ? { toolDiscovery: true } : {}),
      ...(options.limits ? { limits: options.limits } : {}),
      ...(options.isolation ? { isolation: options.isolation } : {}),
      ...(options.pool ? { pool: options.pool } : {}),
      ...(options.telemetry ? { telemetry: options.telemetry } : {}),
      ...(signal ? { signal } : {}),
      onToolCall: (call) => this.emit(events.toolCall(call, this.info())),
      onToolResult: (record) => this.emit(events.toolResult(record, this.info())),
      onOutput: (text) => this.emit(events.output(text, this.info())),
      ...(onApproval
        ? {
            onApproval: async (request: ApprovalRequest) => {
              this.emit(events.approvalRequested([request], this.info()));
              const decision = await onApproval(request);
              this.emit(events.approvalDecided(request, verdictOf(decision), this.info()));
              return decision;
            },
          }
        : {}),
    };
  }

  /** `onProgram`: a human (or a policy) reviews the program before it runs. */
  private async review(code: string): Promise<string | undefined> {
    const onProgram = this.ctx.options.onProgram;
    if (!onProgram) return undefined;
    let decision: ApprovalDecision;
    try {
      decision = await onProgram({
        code,
        tools: this.ctx.tools.map((t) => t.name),
        turn: this.ls.turn,
        attempt: this.ls.attempt,
      });
    } catch (error) {
      return `the program review failed: ${errorText(error)}`;
    }
    const verdict = checkDecision(decision);
    if (typeof verdict === "string") return `the program review answered wrongly: ${verdict}`;
    if (verdict.approved) return undefined;
    const reason = verdict.reason ? `: ${verdict.reason}` : "";
    return `the program was rejected before it ran${reason}. Write a different program.`;
  }

  private judge(result: ExecutionResult): Judged {
    if (!result.ok) {
      const where = result.error.line ? ` (line ${result.error.line})` : "";
      return { kind: "failure", error: `${result.error.type}${where}: ${result.error.message}` };
    }
    if (this.loop && !isAnswer(result.value)) return { kind: "look", value: result.value };
    const shaped = shapeResult(result.value);
    if (!shaped.ok) return { kind: "failure", error: shaped.error };
    return { kind: "answer", value: result.value, summary: shaped.summary, charts: shaped.charts };
  }

  private suspend(suspended: SuspendedExecution, output: string): AgentResult {
    this.emit(events.approvalRequested([...suspended.approvals], this.info()));
    let continuation: string;
    try {
      continuation = this.ctx.seal(this.ls, suspended);
    } catch (error) {
      this.endTurn({ code: this.ls.code, kind: "failed", error: errorText(error), output });
      return this.finish({ output, error: `The run could not be suspended: ${errorText(error)}` });
    }
    return this.finish({
      status: "suspended",
      output,
      pendingApprovals: suspended.approvals.map(pendingApproval),
      continuation,
    });
  }

  private endTurn(fields: Omit<AgentTurn, "turn" | "toolCalls" | "attempts" | "durationMs">) {
    const { ls, ctx } = this;
    const record: AgentTurn = {
      turn: ls.turn,
      ...fields,
      toolCalls: ls.turnCalls,
      attempts: ls.attempt,
      durationMs: Date.now() - ls.turnStartedAt,
    };
    ls.turns.push(record);
    if (this.turnSpan) markTurnSpan(this.turnSpan, record, ctx.options.telemetry);
    this.closeTurnSpan();
    // Turn events only with the loop on: a single-turn run's events stay what they were.
    if (!this.loop) return;
    this.emit(events.turnEnd(this.position(), Math.max(1, ls.attempt), record));
  }

  /**
   * What the conversation carries to its next message: the variables the run's programs
   * left when it is done, else the state it started from (a failed program keeps nothing).
   */
  private conversationState(status: AgentResult["status"]): ConversationState {
    const { ls } = this;
    const kept = status === "done" ? ls.programState : ls.startState;
    return boundConversationState(
      kept ?? { variables: {}, dropped: [] },
      this.ctx.options.maxStateBytes,
      ls.chatId,
    );
  }

  private finish(fields: Partial<AgentResult>): AgentResult {
    const { ls } = this;
    const result: AgentResult = {
      status: fields.error ? "failed" : "done",
      code: ls.code,
      value: null,
      summary: "",
      charts: [],
      error: null,
      attempts: ls.attempts,
      turns: ls.turns,
      toolCalls: ls.toolCalls,
      output: "",
      usage: ls.usage,
      durationMs: ls.elapsedMs + performance.now() - this.t0,
      ...(this.stateError ? { stateError: this.stateError } : {}),
      ...fields,
    };
    // A failed (or cancelled) run says what it already changed, so nobody repeats it blindly.
    if (result.status === "failed" && ls.journal.entries.length > 0) {
      result.effects = ls.journal.entries.map(effectOf);
    }
    if (this.loop) result.state = this.conversationState(result.status);
    return result;
  }
}

/** In the turn loop, a program's value is the answer when it is a dict with "summary". */
function isAnswer(value: unknown): boolean {
  return (
    value !== null &&
    typeof value === "object" &&
    !Array.isArray(value) &&
    !(value instanceof Uint8Array) &&
    Object.hasOwn(value, "summary")
  );
}
