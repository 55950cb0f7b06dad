/**
 * `CodeModeAgent`: the model writes a Python program, the sandbox runs it against the
 * tools, and a failure goes back to the model for another attempt. A port of Flyte's
 * `CodeModeAgent` (names in camelCase).
 */
import { errorText } from "../error-text.js";
import { InvalidOptionsError } from "../errors.js";
import { execute } from "../execute/execute.js";
import type { ExecutionError, ExecutionResult } from "../execute/types.js";
import { createCallLlm } from "../llm/default-call-llm.js";
import type { CallLlm, ChatMessage, TokenUsage } from "../llm/types.js";
import { pythonDocstring, pythonSignatures } from "../tools/signature.js";
import { normalizeTools } from "../tools/tool-set.js";
import type { Tool } from "../tools/types.js";
import { extractCode } from "./extract-code.js";
import { buildSystemPrompt, retryMessage } from "./prompt.js";
import { shapeResult } from "./result-shape.js";
import { loadSkills } from "./skills.js";
import type {
  AgentEvent,
  AgentResult,
  AgentRunOptions,
  AgentToolCall,
  AttemptInfo,
  CodeModeAgentOptions,
} from "./types.js";

export const DEFAULT_MODEL = "anthropic:claude-haiku-4-5";

export interface ToolDescription {
  name: string;
  signature: string;
  description: string;
}

export class CodeModeAgent {
  readonly model: string;
  readonly maxRetries: number;
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
    if (options.callLlm !== undefined && typeof options.callLlm !== "function") {
      throw new InvalidOptionsError(
        "callLlm must be a function (model, system, messages, { signal }).",
      );
    }
    this.options = options;
    this.model = options.model ?? DEFAULT_MODEL;
    this.maxRetries = maxRetries;
    this.tools = normalizeTools(options.tools ?? []);
    // Code replies are short; without a cap some providers reserve their maximum (64k tokens).
    this.callLlm = options.callLlm ?? createCallLlm({ maxOutputTokens: 8192 });
    this.systemPrompt = buildSystemPrompt({
      prefix: options.systemPromptPrefix,
      tools: this.tools,
      skills: loadSkills(options.skills ?? []),
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

  /** True when any tool is marked durable (`durableTool`). The seed's `uses_flyte_tools`. */
  usesDurableTools(): boolean {
    return this.tools.some((tool) => tool.durable !== undefined);
  }

  /** Generate code, execute it in the sandbox, retry on failure. Never rejects for model or code errors. */
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
    const maxAttempts = this.maxRetries + 1;
    const usage = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };
    const toolCalls: AgentToolCall[] = [];
    const messages: ChatMessage[] = [...validHistory(history), { role: "user", content: message }];
    let attempt = 0;
    const info = (): AttemptInfo => ({ attempt: Math.max(1, attempt), maxAttempts });
    const emit = (event: AgentEvent) => {
      try {
        onEvent?.(event);
      } catch {
        // A listener's bug must not break the run.
      }
    };
    const finish = (fields: Partial<AgentResult> & { code: string }): AgentResult => {
      const result: AgentResult = {
        value: null,
        summary: "",
        charts: [],
        error: null,
        attempts: attempt,
        toolCalls,
        output: "",
        usage,
        durationMs: performance.now() - t0,
        ...fields,
      };
      emit({ type: "done", result, ...info() });
      return result;
    };

    emit({ type: "generating_code", ...info() });
    let reply: string;
    try {
      reply = await this.ask(messages, usage, signal);
    } catch (error) {
      return finish({ code: "", error: `Code generation failed: ${errorText(error)}` });
    }

    for (;;) {
      const code = extractCode(reply);
      attempt += 1;
      emit({ type: "code_generated", code, ...info() });
      const outcome = await this.attempt(code, { signal, emit, info, toolCalls, attempt });
      if (outcome.ok) {
        emit({ type: "formatting", ...info() });
        return finish({
          code,
          value: outcome.value,
          summary: outcome.summary,
          charts: outcome.charts,
          output: outcome.output,
        });
      }
      if (attempt >= maxAttempts || signal?.aborted) {
        return finish({
          code,
          output: outcome.output,
          error: `Sandbox execution failed after ${attempt} attempt(s): ${outcome.error}`,
          ...(outcome.executionError ? { executionError: outcome.executionError } : {}),
        });
      }
      emit({ type: "retrying", error: outcome.error, ...info() });
      messages.push(
        { role: "assistant", content: reply },
        { role: "user", content: retryMessage(outcome.error, code, outcome.output) },
      );
      emit({ type: "generating_code", attempt: attempt + 1, maxAttempts });
      try {
        reply = await this.ask(messages, usage, signal);
      } catch (error) {
        return finish({
          code,
          output: outcome.output,
          error: `Retry LLM call failed: ${errorText(error)}`,
        });
      }
    }
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

  /** One attempt: execute (type check first, unless turned off), then shape the value. */
  private async attempt(
    code: string,
    context: {
      signal: AbortSignal | undefined;
      emit: (event: AgentEvent) => void;
      info: () => AttemptInfo;
      toolCalls: AgentToolCall[];
      attempt: number;
    },
  ): Promise<
    | { ok: true; value: unknown; summary: string; charts: AgentResult["charts"]; output: string }
    | { ok: false; error: string; output: string; executionError?: ExecutionError }
  > {
    const { signal, emit, info } = context;
    emit({ type: "executing", ...info() });
    const result: ExecutionResult = await execute(code, {
      tools: this.tools,
      typeCheck: this.options.typeCheck !== false,
      ...(this.options.limits ? { limits: this.options.limits } : {}),
      ...(this.options.isolation ? { isolation: this.options.isolation } : {}),
      ...(this.options.pool ? { pool: this.options.pool } : {}),
      ...(signal ? { signal } : {}),
      onToolCall: (call) => emit({ type: "tool_call", call, ...info() }),
      onToolResult: (record) => emit({ type: "tool_result", record, ...info() }),
      onOutput: (text) => emit({ type: "output", text, ...info() }),
    });
    for (const call of result.toolCalls)
      context.toolCalls.push({ ...call, attempt: context.attempt });
    if (!result.ok) {
      const where = result.error.line ? ` (line ${result.error.line})` : "";
      return {
        ok: false,
        output: result.output,
        error: `${result.error.type}${where}: ${result.error.message}`,
        executionError: result.error,
      };
    }
    const shaped = shapeResult(result.value);
    if (!shaped.ok) return { ok: false, output: result.output, error: shaped.error };
    return {
      ok: true,
      value: result.value,
      summary: shaped.summary,
      charts: shaped.charts,
      output: result.output,
    };
  }
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
