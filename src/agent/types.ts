import type { ConversationStateError } from "../errors.js";
import type {
  ApprovalDecision,
  ApprovalRequest,
  ExecutionError,
  Isolation,
  PendingApproval,
  SideEffect,
  ToolCallRecord,
} from "../execute/types.js";
import type { CallLlm, ChatMessage, UsageTotals } from "../llm/types.js";
import type { Limits } from "../sandbox/limits.js";
import type { SandboxPool } from "../sandbox/pool.js";
import type { ToolSetInput } from "../tools/define/tool-set.js";
import type { TelemetryOptions } from "../tracing/spans.js";
import type { ConversationState } from "./conversation-state.js";
import type { Skill } from "./skills.js";

export interface CodeModeAgentOptions {
  /** Tools the generated code may call: an array (keyed by name) or a record (keyed by key). */
  tools: ToolSetInput;
  /** `provider:model`. Default `"anthropic:claude-haiku-4-5"`. */
  model?: string;
  /**
   * Turns and retries: `maxTurns`, `maxRetries`, `maxObservationBytes`, `maxStateBytes`.
   * A value here wins over the deprecated flat option of the same name; both set to
   * different values is an `InvalidOptionsError`.
   */
  turns?: AgentTurnOptions;
  /** Where and how programs run: `isolation`, `pool`, `limits`, `typeCheck`. */
  sandbox?: AgentSandboxOptions;
  /** Hooks that decide: `onApproval` (calls to `needsApproval` tools), `onProgram` (each program). */
  approvals?: AgentApprovalOptions;
  /** Suspended runs: `secret` (signs them), `claim` (marks one used), `maxBytes`. */
  continuations?: AgentContinuationOptions;
  /** @deprecated Use `turns.maxRetries`: this flat name is an alias kept for one release. */
  maxRetries?: number;
  /** @deprecated Use `turns.maxTurns`: this flat name is an alias kept for one release. */
  maxTurns?: number;
  /** @deprecated Use `turns.maxObservationBytes`: this flat name is an alias kept for one release. */
  maxObservationBytes?: number;
  /** Extra context for the system prompt: literal text, `{ path }` or a `file:` URL. */
  skills?: readonly Skill[];
  /** Sends the conversation to the model. Default: the AI SDK based client (`createCallLlm()`). */
  callLlm?: CallLlm;
  /** Replaces the first paragraph of the system prompt (the persona). */
  systemPromptPrefix?: string;
  /** @deprecated Use `sandbox.limits`: this flat name is an alias kept for one release. */
  limits?: Partial<Limits>;
  /** @deprecated Use `sandbox.isolation`: this flat name is an alias kept for one release. */
  isolation?: Isolation;
  /** @deprecated Use `sandbox.pool`: this flat name is an alias kept for one release. */
  pool?: SandboxPool;
  /** @deprecated Use `sandbox.typeCheck`: this flat name is an alias kept for one release. */
  typeCheck?: boolean;
  /**
   * Today, as the prompt states it (its UTC date): the sandbox has no clock, so "today" or
   * "the last 30 days" need it. A `Date`, or a function called each time the prompt is
   * built (the prompt is rebuilt when the day changes). Default: the host's clock.
   */
  now?: Date | (() => Date);
  /** @deprecated Use `approvals.onApproval`: this flat name is an alias kept for one release. */
  onApproval?: (request: ApprovalRequest) => ApprovalDecision | Promise<ApprovalDecision>;
  /** @deprecated Use `approvals.onProgram`: this flat name is an alias kept for one release. */
  onProgram?: (review: ProgramReview) => ApprovalDecision | Promise<ApprovalDecision>;
  /**
   * When a run ends failed or cancelled, undo each completed call whose tool has
   * `compensate` (`defineTool({ compensate })`), once, newest first. Outcomes are in
   * `result.compensations` and `compensation` events; a compensation that throws is
   * reported, not thrown. Default `false`.
   */
  compensateOnFailure?: boolean;
  /** @deprecated Use `continuations.secret`: this flat name is an alias kept for one release. */
  continuationSecret?: string | Uint8Array;
  /** @deprecated Use `continuations.claim`: this flat name is an alias kept for one release. */
  claimContinuation?: (id: string) => boolean | Promise<boolean>;
  /** @deprecated Use `continuations.maxBytes`: this flat name is an alias kept for one release. */
  maxContinuationBytes?: number;
  /**
   * OpenTelemetry: what the run's spans record (content is off by default) and extra
   * attributes or links for the run's span. See docs/observability.md.
   */
  telemetry?: TelemetryOptions;
  /**
   * How the prompt lists the tools. `"full"`: every signature, docstring and TypedDict.
   * `"compact"`: one line per tool (name and the first line of its description), and the
   * programs get `search_tools(query)` and `describe_tool(name)` to look up the rest.
   * `"auto"` (default): compact when the full listing passes `toolListingBudget` and
   * `maxTurns > 1`; with one turn it stays full, and `agent.warnings` (and one
   * `console.warn`) say so when it is over budget.
   */
  toolListing?: "full" | "compact" | "auto";
  /** @deprecated Use `turns.maxStateBytes`: this flat name is an alias kept for one release. */
  maxStateBytes?: number;
  /** `"auto"`'s budget for the full listing, in tokens counted as UTF-8 bytes / 4. Default `10_000`. */
  toolListingBudget?: number;
}

/** `CodeModeAgentOptions.turns`: how many turns and rewrites a run gets, and its budgets. */
export interface AgentTurnOptions {
  /**
   * Turns the model gets: each turn it writes a program, which runs and whose result it
   * sees, or replies in plain text, which is the answer. Default `1`: one program, retried on
   * failure, whose value is the answer (Flyte's `CodeModeAgent`). Above 1 the loop is on: a
   * program whose value is a dict with "summary" ends the run, any other value is a look
   * that goes back to the model, and variables that hold data carry over to later turns.
   */
  maxTurns?: number;
  /**
   * Code rewrites after a failed program: how many times the model may fix its code in a
   * row (consecutive failures; a turn that runs resets the count). Default `2`. Not the
   * LLM client's HTTP retries (`createCallLlm({ maxRetries })`).
   */
  maxRetries?: number;
  /**
   * Budget of one look's message to the model (its value, printed text, tool calls and
   * variables), in UTF-8 bytes; past it the value and output are cut with a note saying how
   * to narrow them. Default `10_000` (about 2 500 tokens).
   */
  maxObservationBytes?: number;
  /**
   * Largest conversation state (`result.state`: the variables carried to the next message)
   * in bytes, each variable sized as `v8.serialize` writes it. Past it the largest variables
   * are dropped and the next message's prompt says which. Default `1 MiB`.
   */
  maxStateBytes?: number;
}

/** `CodeModeAgentOptions.sandbox`: where and how the programs run. */
export interface AgentSandboxOptions {
  /** Where the code runs. Default `"process"`. */
  isolation?: Isolation;
  /** Worker pool for `"process"` isolation. Default: the shared pool. */
  pool?: SandboxPool;
  /** Sandbox limits for each execution (see `DEFAULT_LIMITS`). */
  limits?: Partial<Limits>;
  /** Type-check the code against the tools' stubs before running it. Default `true`. */
  typeCheck?: boolean;
}

/** `CodeModeAgentOptions.approvals`: the hooks that decide calls and programs. */
export interface AgentApprovalOptions {
  /**
   * Decides calls to tools with `needsApproval` as they come: the program waits at the call
   * (as a snapshot: no worker is held, the time limit does not count the wait). Without it,
   * such a call ends the run with `status: "suspended"`, `pendingApprovals` and a
   * `continuation` for `agent.resume()`. See docs/approvals.md.
   */
  onApproval?: (request: ApprovalRequest) => ApprovalDecision | Promise<ApprovalDecision>;
  /**
   * Reviews every program before it runs (the code and the tools it can reach): `true` runs
   * it; `false` or `{ approved: false, reason }` rejects it, and the model is asked for a
   * different one (it counts as a failed attempt).
   */
  onProgram?: (review: ProgramReview) => ApprovalDecision | Promise<ApprovalDecision>;
}

/** `CodeModeAgentOptions.continuations`: how suspended runs are sealed and claimed. */
export interface AgentContinuationOptions {
  /**
   * The HMAC key that signs continuations (at least 16 bytes). Default: a random key made
   * once per process, so a continuation resumes only in the process that made it; pass the
   * same secret to every process that may resume another's runs.
   */
  secret?: string | Uint8Array;
  /**
   * Marks a continuation as used; resolves `false` when it already was, and the resume is
   * refused. Default: a set in this process's memory. Back it with shared storage (a unique
   * row, a file created with `wx`) when several processes resume runs.
   */
  claim?: (id: string) => boolean | Promise<boolean>;
  /** Largest continuation made or accepted, in bytes. Default `16 MiB`. */
  maxBytes?: number;
}

export type Chart = Record<string, unknown> | string;

/**
 * A tool call with the turn and the attempt (within the turn) it belongs to; failed
 * attempts' calls are kept too.
 */
export type AgentToolCall = ToolCallRecord & { turn: number; attempt: number };

/** One turn of a run: the program the model wrote (its last attempt) and how it ended. */
export interface AgentTurn {
  /** 1-based. */
  turn: number;
  /** The program of the turn's last attempt; `""` when the model answered in plain text. */
  code: string;
  /**
   * How the turn ended: `"answer"` (a value with "summary", or the single-turn value),
   * `"reply"` (plain text, the answer), `"look"` (a value that went back to the model),
   * `"failed"` (the program failed and no retry was left, or the run was cancelled).
   */
  kind: "answer" | "reply" | "look" | "failed";
  /** The program's value (plain JS) for answers and looks. */
  value?: unknown;
  /** The last attempt's error for a failed turn. */
  error?: string;
  /** What the turn's last program printed. */
  output: string;
  /** Every tool call of the turn's attempts. */
  toolCalls: AgentToolCall[];
  /** Programs run in this turn (1 plus the rewrites). */
  attempts: number;
  /** For a look: the message that went back to the model. */
  observation?: string;
  durationMs: number;
}
/** What `onProgram` reviews: the program, and the tools it can reach. */
export interface ProgramReview {
  code: string;
  tools: string[];
  turn: number;
  attempt: number;
}

export interface AgentResult {
  /**
   * `"done"` with an answer; `"failed"` with `error` set; `"suspended"` waiting on
   * `pendingApprovals`: continue with `agent.resume(continuation, decisions)`.
   */
  status: "done" | "failed" | "suspended";
  /** The calls a suspended run waits on (decide each by its `id`). */
  pendingApprovals?: PendingApproval[];
  /** A suspended run, sealed: store it anywhere, hand it to `agent.resume()`. Signed, not secret. */
  continuation?: string;
  /** The last code generated (the one that succeeded, or the last that failed). */
  code: string;
  /** The program's final value (plain JS). */
  value: unknown;
  /** Markdown answer: the dict's `summary`, or the value as text. */
  summary: string;
  /** Chart.js configurations or HTML strings. */
  charts: Chart[];
  /** Why the run failed; `null` on success. */
  error: string | null;
  /** The last execution error in structured form, when there was one. */
  executionError?: ExecutionError;
  /** Executions tried over all turns (type-check failures count). */
  attempts: number;
  /** The turns, in order (one for a single-turn run). */
  turns: AgentTurn[];
  /** Every tool call of every attempt of every turn, in order. */
  toolCalls: AgentToolCall[];
  /** What the last execution printed. */
  output: string;
  /** Tokens over all LLM calls. */
  usage: UsageTotals;
  durationMs: number;
  /**
   * With the turn loop on (`maxTurns > 1`): the data variables the run's programs left, for
   * the conversation's next message (`agent.run(next, history, { state })`). A failed or
   * suspended run returns the state it started from. Bound to `chatId` when the run named
   * one; at most `maxStateBytes`.
   */
  state?: ConversationState;
  /** The `state` passed to the run was refused (the run started without it); why. */
  stateError?: ConversationStateError;
  /**
   * On a failed or cancelled run: the calls that changed things and completed before it
   * ended (tools not `readOnlyHint` or `idempotentHint`), oldest first. They happened; a
   * caller that tries again should not repeat them blindly.
   */
  effects?: SideEffect[];
  /**
   * With `compensateOnFailure`, on a failed or cancelled run: each compensation that ran
   * (newest call first) and how it ended. A compensation that threw has `ok: false`.
   */
  compensations?: Compensation[];
}

/** One completed call undone by its tool's `compensate`. */
export interface Compensation {
  tool: string;
  /** The call's arguments, as it ran with them. */
  args: Record<string, unknown>;
  /** The call's seq, turn and attempt. */
  seq: number;
  turn: number;
  attempt: number;
  /** The compensation returned (`result`, JSON-safe) or threw (`error`). */
  ok: boolean;
  result?: unknown;
  error?: { type: string; message: string };
  durationMs: number;
}

export interface AttemptInfo {
  /** The attempt within the current turn, 1-based. */
  attempt: number;
  maxAttempts: number;
  /** The current turn, 1-based (set on every event the agent emits). */
  turn?: number;
}

export type AgentEvent =
  | { type: "turn_start"; turn: number; maxTurns: number; attempt: number; maxAttempts: number }
  | {
      type: "turn_end";
      turn: number;
      maxTurns: number;
      attempt: number;
      maxAttempts: number;
      record: AgentTurn;
    }
  | ({ type: "approval_requested"; approvals: ApprovalRequest[] } & AttemptInfo)
  | ({
      type: "approval_decided";
      id: string;
      tool: string;
      approved: boolean;
      reason?: string;
    } & AttemptInfo)
  | ({ type: "generating_code" } & AttemptInfo)
  | ({ type: "code_generated"; code: string } & AttemptInfo)
  | ({ type: "executing" } & AttemptInfo)
  | ({ type: "compensation"; compensation: Compensation } & AttemptInfo)
  | ({
      type: "tool_call";
      /** `replayed`: the call returns an earlier attempt's outcome without running. */
      call: { seq: number; name: string; args: unknown; replayed?: true };
    } & AttemptInfo)
  | ({ type: "tool_result"; record: ToolCallRecord } & AttemptInfo)
  | ({ type: "output"; text: string } & AttemptInfo)
  | ({ type: "retrying"; error: string } & AttemptInfo)
  | ({ type: "formatting" } & AttemptInfo)
  | ({ type: "state_refused"; error: ConversationStateError } & AttemptInfo)
  | ({ type: "done"; result: AgentResult } & AttemptInfo);

export interface AgentRunOptions {
  /** Cancels the LLM call and the sandbox run. */
  signal?: AbortSignal;
  /** Receives every event as it happens. */
  onEvent?: (event: AgentEvent) => void;
  /**
   * The conversation so far: the previous message's `result.state` (or a string from
   * `agent.sealState()`). The first program starts with its variables defined, and the
   * prompt lists them. Used with the turn loop on (`maxTurns > 1`). A value that is not one,
   * or one bound to another chat, is refused: the run starts without it and says so in
   * `result.stateError` and a `state_refused` event (it does not reject).
   */
  state?: ConversationState | string;
  /**
   * The chat this message belongs to: the result's `state` is bound to it, and a `state`
   * bound to another chat is refused. Any string that identifies the chat to you.
   */
  chatId?: string;
}

export type { ChatMessage, PendingApproval };
