/**
 * `DurableChatAgent`: what the chat server needs from an agent (`run`, `toolDescriptions`,
 * `usesDurableTools`, `model`), with each run executed by a codemode worker through Restate.
 * While the run goes on it polls the run's progress (code generated, attempts, tool calls
 * as they start); tool results, output and `done` arrive with the result.
 */
import { CodeModeAgent, type ToolDescription } from "../agent/code-mode-agent.js";
import type { AgentEvent, AgentResult } from "../agent/types.js";
import type { ChatMessage } from "../llm/types.js";
import type { ToolSetInput } from "../tools/tool-set.js";
import { cancelInvocation } from "./admin.js";
import { createDurableClient, type DurableClient, type DurableClientOptions } from "./client.js";

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
    options: { signal?: AbortSignal; onEvent?: (event: AgentEvent) => void } = {},
  ): Promise<AgentResult> {
    const emit = (event: AgentEvent) => {
      try {
        options.onEvent?.(event);
      } catch {
        // A listener's bug must not break the run.
      }
    };
    const t0 = performance.now();
    // Events already sent, so the ones rebuilt from the result at the end are not repeated.
    const sent = new Set<string>();
    const send = (event: AgentEvent) => {
      const key = eventKey(event);
      if (key) {
        if (sent.has(key)) return;
        sent.add(key);
      }
      emit(event);
    };
    send({ type: "generating_code", attempt: 1, maxAttempts: 1 });
    const runId = this.makeRunId?.(message);
    let result: AgentResult;
    let invocationId: string | undefined;
    let polling: ReturnType<typeof setInterval> | undefined;
    try {
      const submitted = await this.client.submit(message, history, {
        ...(runId !== undefined ? { runId } : {}),
      });
      invocationId = submitted.invocationId;
      let seen = 0;
      let busy = false;
      polling = setInterval(() => {
        if (busy) return;
        busy = true;
        this.client
          .progress(submitted.runId)
          .then((events) => {
            for (const event of events.slice(seen)) send(event);
            seen = Math.max(seen, events.length);
          })
          .catch(() => {
            // Progress is best effort; the result is what counts.
          })
          .finally(() => {
            busy = false;
          });
      }, this.pollMs);
      result = await this.client.result(submitted.runId, {
        ...(options.signal ? { signal: options.signal } : {}),
      });
      clearInterval(polling);
    } catch (error) {
      clearInterval(polling);
      if (!options.signal?.aborted) throw error;
      let error_ =
        "Stopped waiting: the run was cancelled here, but its durable run goes on in Restate.";
      if (this.adminUrl && invocationId) {
        await cancelInvocation(this.adminUrl, invocationId);
        error_ = "Cancelled: the durable run was cancelled in Restate.";
      }
      result = {
        status: "failed",
        code: "",
        value: null,
        summary: "",
        charts: [],
        error: error_,
        attempts: 0,
        turns: [],
        toolCalls: [],
        output: "",
        usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
        durationMs: performance.now() - t0,
      };
      emit({ type: "done", result, attempt: 1, maxAttempts: 1 });
      return result;
    }
    for (const event of replayEvents(result)) send(event);
    return result;
  }
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
    default:
      return undefined;
  }
}

/** The events a local run would have sent, rebuilt from the result. */
function replayEvents(result: AgentResult): AgentEvent[] {
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
