/**
 * `DurableChatAgent`: what the chat server needs from an agent (`run`, `toolDescriptions`,
 * `usesDurableTools`, `model`), with each run executed by a codemode worker through Restate.
 * While the run goes on it polls the run's progress (code generated, attempts, tool calls
 * as they start); tool results, output and `done` arrive with the result. A run that waits
 * for approvals resolves `status: "suspended"` (the workflow keeps waiting in Restate);
 * `resume(continuation, decisions)` sends the decisions and waits on.
 */
import { CodeModeAgent, type ToolDescription } from "../agent/code-mode-agent.js";
import type { ConversationState } from "../agent/conversation-state.js";
import type { AgentEvent, AgentResult } from "../agent/types.js";
import { ContinuationError, ConversationStateError, InvalidOptionsError } from "../errors.js";
import { decideEvery, pendingApproval } from "../execute/call-policy.js";
import type { ApprovalDecision, ApprovalRequest } from "../execute/types.js";
import type { ChatMessage } from "../llm/types.js";
import type { ToolSetInput } from "../tools/define/tool-set.js";
import { cancelInvocation, runInvocationId } from "./admin.js";
import {
  DURABLE_CONTINUATION_PREFIX,
  pendingInProgress,
  requestedInProgress,
} from "./approvals.js";
import {
  createDurableClient,
  type DurableClient,
  type DurableClientOptions,
  type DurableRunResult,
} from "./client.js";
import { DurableRunError } from "./errors.js";
import { DEFAULT_DURABLE_SERVICE } from "./service.js";

export interface DurableChatAgentOptions extends DurableClientOptions {
  /** The worker's tools, for `toolDescriptions()` (the worker has its own copy to run them). */
  tools?: ToolSetInput;
  /** The worker's model, for display. */
  model?: string;
  /** Makes run ids, e.g. to tie them to your chat sessions. Default: a random UUID per run. */
  runId?: (message: string) => string;
  /** How often to ask for progress while a run goes on. Default 250 ms. */
  progressIntervalMs?: number;
  /**
   * Restate's admin API (e.g. `http://localhost:9070`): when given, a cancelled chat also
   * cancels its durable run. Without it the run finishes in Restate unobserved.
   */
  adminUrl?: string;
}

export class DurableChatAgent {
  readonly model?: string;
  readonly client: DurableClient;
  private readonly describer: CodeModeAgent;
  private readonly makeRunId: ((message: string) => string) | undefined;
  private readonly adminUrl: string | undefined;
  private readonly pollMs: number;
  private readonly service: string;

  constructor(options: DurableChatAgentOptions) {
    this.client = createDurableClient(options);
    this.describer = new CodeModeAgent({
      tools: options.tools ?? [],
      ...(options.model ? { model: options.model } : {}),
    });
    if (options.model !== undefined) this.model = options.model;
    this.makeRunId = options.runId;
    this.adminUrl = options.adminUrl;
    this.pollMs = options.progressIntervalMs ?? 250;
    this.service = options.service ?? DEFAULT_DURABLE_SERVICE;
  }

  toolDescriptions(): ToolDescription[] {
    return this.describer.toolDescriptions();
  }

  /** Always true: every call of a durable run is journaled. */
  usesDurableTools(): boolean {
    return true;
  }

  async run(
    message: string,
    history: readonly ChatMessage[] = [],
    options: DurableChatRunOptions = {},
  ): Promise<DurableRunResult> {
    const t0 = performance.now();
    const send = eventSender(options.onEvent);
    // The conversation's state travels sealed: only the string a worker returned is sent.
    let state: string | undefined;
    let stateError: ConversationStateError | undefined;
    if (typeof options.state === "string") state = options.state;
    else if (options.state !== undefined) {
      stateError = new ConversationStateError(
        "not-state",
        "a durable run's state is the sealed string its previous result carried; pass result.state as it was",
      );
      send({ type: "state_refused", error: stateError, attempt: 1, maxAttempts: 1 });
    }
    send({ type: "generating_code", attempt: 1, maxAttempts: 1 });
    const runId = this.makeRunId?.(message);
    return this.follow(
      async () => {
        const submitted = await this.client.submit(message, history, {
          ...(runId !== undefined ? { runId } : {}),
          ...(state !== undefined ? { state } : {}),
          ...(options.chatId !== undefined ? { chatId: options.chatId } : {}),
        });
        return { runId: submitted.runId, invocationId: submitted.invocationId, seen: 0 };
      },
      send,
      new Set(),
      options,
      t0,
    ).then((result) => (stateError && !result.stateError ? { ...result, stateError } : result));
  }

  /**
   * Continues a run that `run()` (or an earlier `resume`) returned suspended: sends each
   * decision (by the ids of `pendingApprovals`) to the workflow, which holds the run's
   * state, then waits for the result like `run()`, and may suspend again. Works from any
   * process (a restarted chat server): the continuation is just `durable:<runId>`. As with
   * `agent.resume`, every pending approval is decided at once. Throws
   * `ContinuationError` for a continuation that is not `durable:<runId>` or whose approvals
   * were already decided, `InvalidOptionsError` for a malformed decision (nothing is sent).
   */
  async resume(
    continuation: string,
    decisions: Readonly<Record<string, ApprovalDecision>>,
    options: DurableChatRunOptions = {},
  ): Promise<DurableRunResult> {
    const t0 = performance.now();
    const runId = runIdOf(continuation);
    // Each decision is read before anything is sent (the ids are checked against the run below).
    const given = decideEvery(
      Object.keys(decisions ?? {}).map((id) => ({ id, tool: "a tool" })),
      decisions,
    );
    if (!given.ok) throw new InvalidOptionsError(`resume(): ${given.message}.`);
    const events = await this.client.progress(runId);
    const pending = pendingInProgress(events);
    const decidedBefore = Object.keys(decisions).filter(
      (id) => requestedInProgress(events, id) && !pending.some((p) => p.id === id),
    );
    if (decidedBefore.length > 0) {
      throw new ContinuationError(
        "used",
        `approval ${decidedBefore.join(", ")} of run ${runId} was already decided`,
      );
    }
    if (pending.length === 0) {
      throw new InvalidOptionsError(`Run ${runId} waits on no approval: nothing to resume.`);
    }
    // The same rule as agent.resume: every pending approval decided at once.
    const decided = decideEvery(pending, decisions);
    if (!decided.ok) throw new InvalidOptionsError(`resume(): ${decided.message}.`);
    const deciding = pending;
    for (const approval of deciding) {
      try {
        await this.client.approve(runId, approval.id, decisions[approval.id]!);
      } catch (error) {
        if (error instanceof DurableRunError && error.status === 409) {
          throw new ContinuationError(
            "used",
            `approval ${approval.id} of run ${runId} was already decided`,
          );
        }
        throw error;
      }
    }
    // What the suspended run already showed is not sent again.
    const send = eventSender(options.onEvent, events);
    return this.follow(
      async () => ({ runId, seen: events.length }),
      send,
      new Set(deciding.map((a) => a.id)),
      options,
      t0,
    );
  }

  /**
   * Starts (or continues) waiting for a run: relays its progress as events, resolves with
   * its result, or with `status: "suspended"` once its progress shows an approval that is
   * not among `decided` (the decisions this call just sent).
   */
  private async follow(
    start: () => Promise<StartedRun>,
    send: (event: AgentEvent) => void,
    decided: ReadonlySet<string>,
    options: DurableChatRunOptions,
    t0: number,
  ): Promise<DurableRunResult> {
    // Stops waiting for the result when the caller cancels or the run suspends.
    const waiting = new AbortController();
    const onCallerAbort = () => waiting.abort(options.signal?.reason);
    if (options.signal?.aborted) onCallerAbort();
    options.signal?.addEventListener("abort", onCallerAbort, { once: true });
    let started: StartedRun | undefined;
    let poller: ProgressPoller | undefined;
    let result: DurableRunResult;
    try {
      started = await start();
      const id = started.runId;
      poller = new ProgressPoller(this.client, started, send, decided, this.pollMs, () =>
        waiting.abort(new Error("the run waits for approval")),
      );
      result = await this.client.result(id, { signal: waiting.signal });
      poller.stop();
      // Decisions the last poll did not see (the rest is rebuilt from the result below).
      const events = await this.client.progress(id).catch((): AgentEvent[] => []);
      for (const event of events.slice(poller.seen)) {
        if (event.type === "approval_requested" || event.type === "approval_decided") send(event);
      }
    } catch (error) {
      const suspended = poller?.suspended;
      if (suspended && !options.signal?.aborted) {
        const value = suspendedResult(suspended, performance.now() - t0);
        send({ type: "done", result: shownResult(value), attempt: 1, maxAttempts: 1 });
        return value;
      }
      if (!options.signal?.aborted) throw error;
      result = await this.stopped(started, t0);
      send({ type: "done", result: shownResult(result), attempt: 1, maxAttempts: 1 });
      return result;
    } finally {
      poller?.stop();
      options.signal?.removeEventListener("abort", onCallerAbort);
    }
    for (const event of replayEvents(result)) send(event);
    return result;
  }

  /**
   * The result when the caller stopped waiting: with `adminUrl` the durable run is
   * cancelled in Restate too (found by run id when `submit` gave no invocation id).
   */
  private async stopped(started: StartedRun | undefined, t0: number): Promise<DurableRunResult> {
    let error =
      "Stopped waiting: the run was cancelled here, but its durable run goes on in Restate.";
    if (this.adminUrl && started !== undefined) {
      const invocationId =
        started.invocationId ?? (await runInvocationId(this.adminUrl, this.service, started.runId));
      if (invocationId) {
        await cancelInvocation(this.adminUrl, invocationId);
        error = "Cancelled: the durable run was cancelled in Restate.";
      }
    }
    return {
      status: "failed",
      code: "",
      value: null,
      summary: "",
      charts: [],
      error,
      attempts: 0,
      turns: [],
      toolCalls: [],
      output: "",
      usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
      durationMs: performance.now() - t0,
    };
  }
}

/** A run `follow` waits for: `seen` counts the progress events already sent. */
interface StartedRun {
  runId: string;
  invocationId?: string;
  seen: number;
}

/** What a run waits on when it suspends for approvals. */
interface Suspension {
  runId: string;
  events: AgentEvent[];
  pending: ApprovalRequest[];
}

/**
 * Asks for a run's progress every `intervalMs` while `follow` waits for its result, one
 * request at a time: sends the events not seen yet, and calls `onSuspend` once (keeping
 * `suspended`) when the progress shows an approval that is not among `decided`.
 */
class ProgressPoller {
  seen: number;
  suspended: Suspension | undefined;
  private finished = false;
  private busy = false;
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(
    private readonly client: DurableClient,
    run: StartedRun,
    private readonly send: (event: AgentEvent) => void,
    private readonly decided: ReadonlySet<string>,
    intervalMs: number,
    private readonly onSuspend: () => void,
  ) {
    this.seen = run.seen;
    this.timer = setInterval(() => this.poll(run.runId), intervalMs);
  }

  /** No more polls; one in flight is ignored when it answers. */
  stop(): void {
    this.finished = true;
    clearInterval(this.timer);
  }

  private poll(runId: string): void {
    if (this.busy || this.finished) return;
    this.busy = true;
    this.client
      .progress(runId)
      .then((events) => {
        if (this.finished) return;
        for (const event of events.slice(this.seen)) this.send(event);
        this.seen = Math.max(this.seen, events.length);
        const pending = pendingInProgress(events).filter((a) => !this.decided.has(a.id));
        if (pending.length > 0 && !this.suspended) {
          this.suspended = { runId, events, pending };
          this.onSuspend();
        }
      })
      .catch(() => {
        // Progress is best effort; the result is what counts.
      })
      .finally(() => {
        this.busy = false;
      });
  }
}

export interface DurableChatRunOptions {
  /** Stops waiting; with `adminUrl` it also cancels the durable run. */
  signal?: AbortSignal;
  onEvent?: (event: AgentEvent) => void;
  /**
   * The conversation so far: the previous result's `state`, a string sealed by the worker
   * (give every worker the same `continuations.secret`). Anything else is refused (the run
   * starts without it; `result.stateError`).
   */
  state?: ConversationState | string;
  /** The chat the state is bound to. */
  chatId?: string;
}

/**
 * Sends events to `onEvent` once each: progress is polled again and again, and the end
 * rebuilds events from the result. `shown`: events already sent by an earlier call.
 */
function eventSender(
  onEvent: ((event: AgentEvent) => void) | undefined,
  shown: readonly AgentEvent[] = [],
): (event: AgentEvent) => void {
  const sent = new Set<string>();
  for (const event of shown) {
    const key = eventKey(event);
    if (key) sent.add(key);
  }
  return (event) => {
    const key = eventKey(event);
    if (key) {
      if (sent.has(key)) return;
      sent.add(key);
    }
    try {
      onEvent?.(event);
    } catch {
      // A listener's bug must not break the run.
    }
  };
}

/** The run id in a continuation made by `DurableChatAgent` (`durable:<runId>`). */
function runIdOf(continuation: unknown): string {
  if (
    typeof continuation !== "string" ||
    !continuation.startsWith(DURABLE_CONTINUATION_PREFIX) ||
    continuation.length === DURABLE_CONTINUATION_PREFIX.length
  ) {
    throw new ContinuationError(
      "malformed",
      `a durable run's continuation is "${DURABLE_CONTINUATION_PREFIX}<runId>" (from DurableChatAgent), got ${JSON.stringify(continuation)?.slice(0, 80)}`,
    );
  }
  return continuation.slice(DURABLE_CONTINUATION_PREFIX.length);
}

/** What `run()`/`resume()` resolve with while the workflow waits on approvals. */
function suspendedResult(suspended: Suspension, durationMs: number): DurableRunResult {
  const code = suspended.events.findLast((e) => e.type === "code_generated");
  return {
    status: "suspended",
    pendingApprovals: suspended.pending.map(pendingApproval),
    continuation: `${DURABLE_CONTINUATION_PREFIX}${suspended.runId}`,
    code: code?.type === "code_generated" ? code.code : "",
    value: null,
    summary: "",
    charts: [],
    error: null,
    attempts: suspended.events.filter((e) => e.type === "executing").length,
    // Tool calls, turns and usage arrive with the result, once the run goes on.
    turns: [],
    toolCalls: [],
    output: "",
    usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
    durationMs,
  };
}

/** Identifies the events that can arrive twice (as progress, then rebuilt from the result). */
function eventKey(event: AgentEvent): string | undefined {
  switch (event.type) {
    case "generating_code":
    case "code_generated":
    case "executing":
    case "retrying":
      return `${event.type}:${event.turn ?? 1}:${event.attempt}`;
    case "tool_call":
      return `tool_call:${event.turn ?? 1}:${event.attempt}:${event.call.seq}`;
    case "turn_start":
      return `turn_start:${event.turn}`;
    case "approval_requested":
      return `approval_requested:${event.approvals.map((a) => a.id).join(",")}`;
    case "approval_decided":
      return `approval_decided:${event.id}`;
    default:
      return undefined;
  }
}

/** A result as events show it: without the sealed state (it is for the next run, not for display). */
function shownResult(result: DurableRunResult): AgentResult {
  const { state: _state, ...shown } = result;
  return shown;
}

/** The events a local run would have sent, rebuilt from the result. */
function replayEvents(durable: DurableRunResult): AgentEvent[] {
  const result = shownResult(durable);
  const maxAttempts = Math.max(1, result.attempts);
  const events: AgentEvent[] = [];
  const turns = result.turns ?? [];
  const lastTurn = Math.max(1, turns.length);
  const at = (attempt: number, turn = lastTurn) => ({
    attempt: Math.max(1, attempt),
    maxAttempts,
    turn,
  });
  const last = at(turns.at(-1)?.attempts ?? result.attempts);
  if (turns.length > 1) {
    // A run of several turns: each turn's code, calls and end, as the loop sent them.
    for (const record of turns) {
      const end = at(record.attempts, record.turn);
      const maxTurns = Math.max(lastTurn, record.turn);
      events.push({ type: "turn_start", turn: record.turn, maxTurns, attempt: 1, maxAttempts });
      if (record.code) events.push({ type: "code_generated", code: record.code, ...end });
      if (record.code) events.push({ type: "executing", ...end });
      for (const call of record.toolCalls) pushCall(events, call, at(call.attempt, call.turn));
      events.push({ type: "turn_end", maxTurns, ...end, record });
    }
  } else {
    if (result.code) events.push({ type: "code_generated", code: result.code, ...last });
    if (result.attempts > 0) events.push({ type: "executing", ...last });
    for (const call of result.toolCalls) pushCall(events, call, at(call.attempt, call.turn));
  }
  if (result.output) events.push({ type: "output", text: result.output, ...last });
  if (!result.error) events.push({ type: "formatting", ...last });
  events.push({ type: "done", result, ...last });
  return events;
}

function pushCall(
  events: AgentEvent[],
  call: AgentResult["toolCalls"][number],
  at: { attempt: number; maxAttempts: number; turn: number },
): void {
  const { attempt: _attempt, turn: _turn, ...record } = call;
  events.push({
    type: "tool_call",
    call: { seq: record.seq, name: record.name, args: record.args },
    ...at,
  });
  events.push({ type: "tool_result", record, ...at });
}
