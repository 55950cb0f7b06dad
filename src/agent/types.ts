import type { ExecutionError, Isolation, ToolCallRecord } from "../execute/types.js";
import type { CallLlm, ChatMessage, TokenUsage } from "../llm/types.js";
import type { Limits } from "../sandbox/limits.js";
import type { SandboxPool } from "../sandbox/pool.js";
import type { ToolSetInput } from "../tools/tool-set.js";
import type { Skill } from "./skills.js";

export interface CodeModeAgentOptions {
  /** Tools the generated code may call: an array (keyed by name) or a record (keyed by key). */
  tools: ToolSetInput;
  /** `provider:model`. Default `"anthropic:claude-haiku-4-5"`. */
  model?: string;
  /** Additional attempts after the first failure. Default `2`. */
  maxRetries?: number;
  /** Extra context for the system prompt: literal text, `{ path }` or a `file:` URL. */
  skills?: readonly Skill[];
  /** Sends the conversation to the model. Default: the AI SDK based client (`createCallLlm()`). */
  callLlm?: CallLlm;
  /** Replaces the first paragraph of the system prompt (the persona). */
  systemPromptPrefix?: string;
  /** Sandbox limits for each execution (see `DEFAULT_LIMITS`). */
  limits?: Partial<Limits>;
  /** Where the code runs. Default `"process"`. */
  isolation?: Isolation;
  /** Worker pool for `"process"` isolation. Default: the shared pool. */
  pool?: SandboxPool;
  /** Type-check the code against the tools' stubs before running it. Default `true`. */
  typeCheck?: boolean;
}

export type Chart = Record<string, unknown> | string;

/** A tool call with the attempt it belongs to (failed attempts' calls are kept too). */
export type AgentToolCall = ToolCallRecord & { attempt: number };

export interface AgentResult {
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
  /** Executions tried (type-check failures count). */
  attempts: number;
  /** Every tool call of every attempt, in order. */
  toolCalls: AgentToolCall[];
  /** What the last execution printed. */
  output: string;
  /** Tokens over all LLM calls. */
  usage: Required<TokenUsage>;
  durationMs: number;
}

export interface AttemptInfo {
  attempt: number;
  maxAttempts: number;
}

export type AgentEvent =
  | ({ type: "generating_code" } & AttemptInfo)
  | ({ type: "code_generated"; code: string } & AttemptInfo)
  | ({ type: "executing" } & AttemptInfo)
  | ({ type: "tool_call"; call: { seq: number; name: string; args: unknown } } & AttemptInfo)
  | ({ type: "tool_result"; record: ToolCallRecord } & AttemptInfo)
  | ({ type: "output"; text: string } & AttemptInfo)
  | ({ type: "retrying"; error: string } & AttemptInfo)
  | ({ type: "formatting" } & AttemptInfo)
  | ({ type: "done"; result: AgentResult } & AttemptInfo);

export interface AgentRunOptions {
  /** Cancels the LLM call and the sandbox run. */
  signal?: AbortSignal;
  /** Receives every event as it happens. */
  onEvent?: (event: AgentEvent) => void;
}

export type { ChatMessage };
