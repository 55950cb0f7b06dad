/**
 * `CodeModeAgent`: the model writes a Python program, the sandbox runs it against the
 * tools, and a failure goes back to the model for another attempt. A port of Flyte's
 * `CodeModeAgent` (names in camelCase).
 */
import { errorText } from "../error-text.js";
import { InvalidOptionsError } from "../errors.js";
import { execute } from "../execute/execute.js";
import type {
  ExecutionError,
  ExecutionResult,
  ProgramState,
  ToolCallRecord,
} from "../execute/types.js";
import { createCallLlm } from "../llm/default-call-llm.js";
import type { CallLlm, ChatMessage, TokenUsage } from "../llm/types.js";
import { pythonDocstring, pythonSignatures } from "../tools/signature.js";
import { normalizeTools } from "../tools/tool-set.js";
import type { Tool } from "../tools/types.js";
import { extractCode, findCode } from "./extract-code.js";
import { observationMessage } from "./observation.js";
import { buildSystemPrompt, retryMessage } from "./prompt.js";
import { type Shaped, shapeResult } from "./result-shape.js";
import { loadSkills } from "./skills.js";
import type {
  AgentEvent,
  AgentResult,
  AgentRunOptions,
  AgentToolCall,
  AgentTurn,
  AttemptInfo,
  CodeModeAgentOptions,
} from "./types.js";

export const DEFAULT_MODEL = "anthropic:claude-haiku-4-5";
export const DEFAULT_MAX_OBSERVATION_BYTES = 10_000;

export interface ToolDescription {
  name: string;
  signature: string;
  description: string;
}

export class CodeModeAgent {
  readonly model: string;
  readonly maxRetries: number;
  /** 1: one program (retried on failure); more: the turn loop (see `CodeModeAgentOptions`). */
  readonly maxTurns: number;
  readonly maxObservationBytes: number;
  readonly systemPrompt: string;
  readonly tools: readonly Tool[];
  private readonly callLlm: CallLlm;
  private readonly options: CodeModeAgentOptions;

  constructor(options: CodeModeAgentOptions) {
    if (!options || typeof options !== "object") {
      throw new InvalidOptionsError("new CodeModeAgent({ tools, ... }) needs an options object.");
    }
    const maxRetries = options.maxRetries ?? 2;
    if (!Number.isInteger(maxRetries) || maxRetries < 0) {
      throw new InvalidOptionsError(`maxRetries must be a whole number >= 0 (got ${maxRetries}).`);
    }
    const maxTurns = options.maxTurns ?? 1;
    if (!Number.isInteger(maxTurns) || maxTurns < 1) {
      throw new InvalidOptionsError(
        `maxTurns must be a whole number >= 1 (got ${maxTurns}); 1 is one program, more turns the loop on.`,
      );
    }
    const maxObservationBytes = options.maxObservationBytes ?? DEFAULT_MAX_OBSERVATION_BYTES;
    if (!Number.isInteger(maxObservationBytes) || maxObservationBytes < 500) {
      throw new InvalidOptionsError(
        `maxObservationBytes must be a whole number >= 500 (got ${maxObservationBytes}).`,
      );
    }
    if (options.callLlm !== undefined && typeof options.callLlm !== "function") {
      throw new InvalidOptionsError(
        "callLlm must be a function (model, system, messages, { signal }).",
      );
    }
    this.options = options;
    this.model = options.model ?? DEFAULT_MODEL;
    this.maxRetries = maxRetries;
    this.maxTurns = maxTurns;
    this.maxObservationBytes = maxObservationBytes;
    this.tools = normalizeTools(options.tools ?? []);
    // Code replies are short; without a cap some providers reserve their maximum (64k tokens).
    this.callLlm = options.callLlm ?? createCallLlm({ maxOutputTokens: 8192 });
    this.systemPrompt = buildSystemPrompt({
      prefix: options.systemPromptPrefix,
      tools: this.tools,
      skills: loadSkills(options.skills ?? []),
      maxTurns,
    });
  }

  /** JSON-friendly metadata of every tool: name, Python signature, first docstring paragraph. */
  toolDescriptions(): ToolDescription[] {
    const signatures = pythonSignatures(this.tools);
    return this.tools.map((tool, i) => ({
      name: tool.name,
      signature: signatures[i]!,
      description:
        pythonDocstring(tool)
          .split(/\n\s*\n/)[0]
          ?.trim() ?? "",
    }));
  }

  /** True when any tool is marked durable (`durableTool`). Flyte's `uses_flyte_tools`. */
  usesDurableTools(): boolean {
    return this.tools.some((tool) => tool.durable !== undefined);
  }

  /**
   * Answers `message`: the model writes a program, the sandbox runs it, a failure goes back
   * for a fix; with `maxTurns > 1`, a look goes back too and the model goes on. Never
   * rejects for model or code errors: they end in `status: "failed"` with `error`.
   */
  async run(
    message: string,
    history: readonly ChatMessage[] = [],
    options: AgentRunOptions = {},
  ): Promise<AgentResult> {
    if (typeof message !== "string") {
      throw new InvalidOptionsError("agent.run(message) needs the user's message as a string.");
    }
    const t0 = performance.now();
    const { signal, onEvent } = options;
    const { maxTurns } = this;
    const loop = maxTurns > 1;
    const maxAttempts = this.maxRetries + 1;
    const usage = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };
    const toolCalls: AgentToolCall[] = [];
    const turns: AgentTurn[] = [];
    const messages: ChatMessage[] = [...validHistory(history), { role: "user", content: message }];
    let turn = 0;
    let attempt = 0;
    let attempts = 0;
    let state: ProgramState | undefined;
    let code = "";
    const info = (): AttemptInfo => ({
      attempt: Math.max(1, attempt),
      maxAttempts,
      turn: Math.max(1, turn),
    });
    const emit = (event: AgentEvent) => {
      try {
        onEvent?.(event);
      } catch {
        // A listener's bug must not break the run.
      }
    };
    let turnStart = t0;
    let turnCalls: AgentToolCall[] = [];
    const endTurn = (fields: Omit<AgentTurn, "turn" | "toolCalls" | "attempts" | "durationMs">) => {
      const record: AgentTurn = {
        turn,
        ...fields,
        toolCalls: turnCalls,
        attempts: attempt,
        durationMs: performance.now() - turnStart,
      };
      turns.push(record);
      // Turn events only with the loop on: a single-turn run's events stay what they were.
      if (!loop) return;
      emit({
        type: "turn_end",
        turn,
        maxTurns,
        attempt: Math.max(1, attempt),
        maxAttempts,
        record,
      });
    };
    const finish = (fields: Partial<AgentResult>): AgentResult => {
      const result: AgentResult = {
        status: fields.error ? "failed" : "done",
        code,
        value: null,
        summary: "",
        charts: [],
        error: null,
        attempts,
        turns,
        toolCalls,
        output: "",
        usage,
        durationMs: performance.now() - t0,
        ...fields,
      };
      emit({ type: "done", result, ...info() });
      return result;
    };

    for (turn = 1; turn <= maxTurns; turn++) {
      attempt = 0;
      turnStart = performance.now();
      turnCalls = [];
      if (loop) emit({ type: "turn_start", turn, maxTurns, attempt: 1, maxAttempts });
      emit({ type: "generating_code", ...info() });
      let reply: string;
      try {
        reply = await this.ask(messages, usage, signal);
      } catch (error) {
        const text = `${turn === 1 ? "Code generation" : "The LLM call"} failed: ${errorText(error)}`;
        endTurn({ code: "", kind: "failed", error: text, output: "" });
        return finish({ error: text });
      }
      for (;;) {
        const found = loop ? findCode(reply) : extractCode(reply);
        if (found === null) {
          // The loop's plain-text reply: the answer.
          const answer = reply.trim();
          endTurn({ code: "", kind: "reply", output: "" });
          emit({ type: "formatting", ...info() });
          return finish({ summary: answer });
        }
        code = found;
        attempt += 1;
        attempts += 1;
        emit({ type: "code_generated", code, ...info() });
        const outcome = await this.attempt(code, {
          signal,
          emit,
          info,
          state,
          record: (call) => {
            const tagged = { ...call, turn, attempt };
            toolCalls.push(tagged);
            turnCalls.push(tagged);
          },
        });
        if (outcome.ok && (!loop || outcome.shaped)) {
          const shaped = outcome.shaped ?? shapeResult(outcome.value);
          if (shaped.ok) {
            endTurn({ code, kind: "answer", value: outcome.value, output: outcome.output });
            emit({ type: "formatting", ...info() });
            return finish({
              value: outcome.value,
              summary: shaped.summary,
              charts: shaped.charts,
              output: outcome.output,
            });
          }
          outcome.failure = shaped.error;
        }
        if (outcome.ok && outcome.failure === undefined) {
          // A look: its value goes back to the model, its variables to the next program.
          state = outcome.state;
          const observation = observationMessage({
            turn,
            maxTurns,
            value: outcome.value,
            output: outcome.output,
            toolCalls: turnCalls,
            state,
            maxBytes: this.maxObservationBytes,
          });
          endTurn({
            code,
            kind: "look",
            value: outcome.value,
            output: outcome.output,
            observation,
          });
          messages.push(
            { role: "assistant", content: reply },
            { role: "user", content: observation },
          );
          if (turn === maxTurns) {
            return finish({
              value: outcome.value,
              output: outcome.output,
              error:
                `Reached maxTurns (${maxTurns}) without a final answer: the last program returned a value without "summary". ` +
                "Raise the limit with new CodeModeAgent({ maxTurns }) (codemode: --max-turns), or ask for something narrower.",
            });
          }
          break;
        }
        const error = outcome.ok ? outcome.failure! : outcome.error;
        if (attempt >= maxAttempts || signal?.aborted) {
          endTurn({ code, kind: "failed", error, output: outcome.output });
          return finish({
            output: outcome.output,
            error: `Sandbox execution failed after ${attempt} attempt(s): ${error}`,
            ...(!outcome.ok && outcome.executionError
              ? { executionError: outcome.executionError }
              : {}),
          });
        }
        emit({ type: "retrying", error, ...info() });
        messages.push(
          { role: "assistant", content: reply },
          { role: "user", content: retryMessage(error, code, outcome.output) },
        );
        emit({ type: "generating_code", attempt: attempt + 1, maxAttempts, turn });
        try {
          reply = await this.ask(messages, usage, signal);
        } catch (e) {
          const text = `Retry LLM call failed: ${errorText(e)}`;
          endTurn({ code, kind: "failed", error: text, output: outcome.output });
          return finish({ output: outcome.output, error: text });
        }
      }
    }
    // Unreachable: the last turn returns above. Kept for the type checker.
    return finish({ error: `Reached maxTurns (${maxTurns}) without a final answer.` });
  }

  /** The same run as an async iterable of events, ending with `done`. */
  async *stream(
    message: string,
    history: readonly ChatMessage[] = [],
    options: Omit<AgentRunOptions, "onEvent"> = {},
  ): AsyncGenerator<AgentEvent, void, undefined> {
    const queue: AgentEvent[] = [];
    let wake: (() => void) | undefined;
    let finished = false;
    let failure: unknown;
    // A consumer that stops iterating (break, return, throw) cancels the run behind it.
    const controller = new AbortController();
    const onCallerAbort = () => controller.abort(options.signal?.reason);
    if (options.signal?.aborted) onCallerAbort();
    options.signal?.addEventListener("abort", onCallerAbort, { once: true });
    void this.run(message, history, {
      ...options,
      signal: controller.signal,
      onEvent: (event) => {
        queue.push(event);
        wake?.();
      },
    }).then(
      () => {
        finished = true;
        wake?.();
      },
      (error: unknown) => {
        failure = error;
        finished = true;
        wake?.();
      },
    );
    try {
      for (;;) {
        const event = queue.shift();
        if (event) {
          yield event;
          continue;
        }
        if (finished) break;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    } finally {
      options.signal?.removeEventListener("abort", onCallerAbort);
      if (!finished) controller.abort(new Error("the stream's consumer stopped reading"));
    }
    if (failure !== undefined) throw failure;
  }

  private async ask(
    messages: ChatMessage[],
    usage: Required<TokenUsage>,
    signal?: AbortSignal,
  ): Promise<string> {
    if (signal?.aborted) throw new Error("the run was cancelled");
    const pending = Promise.resolve().then(() =>
      this.callLlm(this.model, this.systemPrompt, [...messages], { signal }),
    );
    // A callLlm that ignores its signal must not hold a cancelled run (or a server slot).
    const reply = signal ? await untilAborted(pending, signal) : await pending;
    const text = typeof reply === "string" ? reply : reply?.text;
    if (typeof text !== "string") {
      throw new Error("callLlm must resolve to a string or { text, usage? }");
    }
    if (typeof reply === "object" && reply.usage) {
      usage.inputTokens += reply.usage.inputTokens ?? 0;
      usage.outputTokens += reply.usage.outputTokens ?? 0;
      usage.totalTokens +=
        reply.usage.totalTokens ?? (reply.usage.inputTokens ?? 0) + (reply.usage.outputTokens ?? 0);
    }
    return text;
  }

  /**
   * One attempt: execute (type check first, unless turned off). In the turn loop a dict
   * with "summary" is shaped into the answer here; other values are looks.
   */
  private async attempt(
    code: string,
    context: {
      signal: AbortSignal | undefined;
      emit: (event: AgentEvent) => void;
      info: () => AttemptInfo;
      state: ProgramState | undefined;
      record: (call: ToolCallRecord) => void;
    },
  ): Promise<
    | {
        ok: true;
        value: unknown;
        output: string;
        state: ProgramState | undefined;
        /** Set when the value is an answer (a dict with "summary") in the turn loop. */
        shaped?: Shaped;
        /** Set when shaping the answer failed (e.g. malformed charts): a failure to fix. */
        failure?: string;
      }
    | { ok: false; error: string; output: string; executionError?: ExecutionError }
  > {
    const { signal, emit, info } = context;
    const loop = this.maxTurns > 1;
    emit({ type: "executing", ...info() });
    const result: ExecutionResult = await execute(code, {
      tools: this.tools,
      typeCheck: this.options.typeCheck !== false,
      ...(loop ? { keepState: true } : {}),
      ...(context.state ? { state: context.state } : {}),
      ...(this.options.limits ? { limits: this.options.limits } : {}),
      ...(this.options.isolation ? { isolation: this.options.isolation } : {}),
      ...(this.options.pool ? { pool: this.options.pool } : {}),
      ...(signal ? { signal } : {}),
      onToolCall: (call) => emit({ type: "tool_call", call, ...info() }),
      onToolResult: (record) => emit({ type: "tool_result", record, ...info() }),
      onOutput: (text) => emit({ type: "output", text, ...info() }),
    });
    for (const call of result.toolCalls) context.record(call);
    if (!result.ok) {
      const where = result.error.line ? ` (line ${result.error.line})` : "";
      return {
        ok: false,
        output: result.output,
        error: `${result.error.type}${where}: ${result.error.message}`,
        executionError: result.error,
      };
    }
    const base = {
      ok: true as const,
      value: result.value,
      output: result.output,
      state: result.state,
    };
    if (!loop || !isAnswer(result.value)) return base;
    const shaped = shapeResult(result.value);
    return shaped.ok ? { ...base, shaped } : { ...base, failure: shaped.error };
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

function validHistory(history: readonly ChatMessage[]): ChatMessage[] {
  if (!Array.isArray(history)) {
    throw new InvalidOptionsError("history must be an array of { role, content } messages.");
  }
  return history.map((m, i) => {
    if (!m || (m.role !== "user" && m.role !== "assistant") || typeof m.content !== "string") {
      throw new InvalidOptionsError(
        `history[${i}] must be { role: "user" | "assistant", content: string }.`,
      );
    }
    return { role: m.role, content: m.content };
  });
}

/**
 * Waits for `promise`, but not long after `signal` aborts: a callLlm that honours the signal
 * settles at once (its own error wins); one that ignores it is given up on after a moment,
 * and its late settlement is swallowed.
 */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal, graceMs = 100): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      timer = setTimeout(() => {
        promise.catch(() => undefined);
        reject(signal.reason ?? new Error("the run was cancelled"));
      }, graceMs);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
    const settle = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
    };
    promise.then(
      (value) => {
        settle();
        resolve(value);
      },
      (error: unknown) => {
        settle();
        reject(error);
      },
    );
  });
}
