/**
 * The baseline: one task through a plain AI SDK tool-calling loop. The same tools become
 * function-calling tools (`tool({ inputSchema: jsonSchema(...), execute })`), validated by
 * the same `validate` code mode uses, and `generateText` runs until the model answers in
 * text or `maxSteps` model calls have been made. No sandbox, no Python: every tool result
 * goes back through the model.
 */
import type { LanguageModel, StepResult, ToolSet } from "ai";
import { errorText } from "../error-text.js";
import { ToolError } from "../errors.js";
import { BUILT_IN_PROVIDERS, parseModelId } from "../llm/model-id.js";
import { type ProviderSettings, resolveModel } from "../llm/providers.js";
import { isRecord } from "../plain-object.js";
import type { Tool } from "../tools/types.js";
import type { ModeRunOutcome } from "./code-mode-runner.js";
import type { EvalToolCall, TranscriptEntry } from "./types.js";

/** The system prompt of the baseline: the same persona, no code. */
export const TOOL_CALLING_SYSTEM_PROMPT =
  "You are a helpful assistant. Use the tools to answer the user's request; call as many as you need. " +
  "When you have the answer, reply with it in Markdown.";

export interface ToolCallingRunSettings extends ProviderSettings {
  tools: readonly Tool[];
  model: string;
  /** Model calls the loop may make (each sees every tool result so far). */
  maxSteps: number;
  maxOutputTokens?: number;
  /** HTTP retries per model call (the AI SDK's own). */
  maxRetries?: number;
  signal?: AbortSignal;
}

export async function runToolCalling(
  question: string,
  settings: ToolCallingRunSettings,
): Promise<ModeRunOutcome> {
  const t0 = performance.now();
  const custom = Object.keys(settings.providers ?? {});
  const id = parseModelId(settings.model, [...new Set([...BUILT_IN_PROVIDERS, ...custom])]);
  const resolved = resolveModel(id, settings);
  // "ai" is imported when a baseline run starts (as createCallLlm does), not on import.
  const [model, ai] = await Promise.all([resolved.load(), import("ai")]);
  const calls: EvalToolCall[] = [];
  const tools: ToolSet = {};
  for (const t of settings.tools) tools[t.name] = sdkTool(ai, t, calls);
  const { steps, text, error } = await generate(ai, model, question, tools, settings);
  return {
    answer: {
      mode: "tool-calling",
      text: error === null ? text : "",
      value: undefined,
      charts: chartsOf(calls),
      toolCalls: calls,
      error,
    },
    turns: steps.length,
    retries: calls.filter((c) => !c.ok).length,
    llmCalls: steps.length,
    ...usageOf(steps),
    durationMs: performance.now() - t0,
    transcript: transcriptOf(question, steps),
  };
}

type Ai = typeof import("ai");

/**
 * One tool as an AI SDK function-calling tool, checked by the same `validate` code mode
 * uses; each call, done or failed, is recorded in `calls` as code mode records its own.
 */
function sdkTool(ai: Ai, t: Tool, calls: EvalToolCall[]): ToolSet[string] {
  return ai.tool({
    description: t.description,
    inputSchema: ai.jsonSchema(t.inputSchema as Parameters<Ai["jsonSchema"]>[0]),
    execute: async (input: unknown, { abortSignal }) => {
      const started = performance.now();
      const record = (fields: Pick<EvalToolCall, "ok" | "result" | "error">) =>
        calls.push({
          name: t.name,
          args: input,
          ...fields,
          durationMs: performance.now() - started,
        });
      try {
        const checked = await t.validate(isRecord(input) ? input : {});
        if (!checked.ok) {
          throw new ToolError(`${t.name}(): ${checked.message}`, { pythonType: "TypeError" });
        }
        const result = await t.execute(checked.value, {
          signal: abortSignal ?? new AbortController().signal,
          callSeq: calls.length + 1,
        });
        record({ ok: true, result });
        return result;
      } catch (error) {
        const type =
          error instanceof ToolError
            ? error.pythonType
            : error instanceof Error
              ? error.name
              : "Error";
        record({ ok: false, error: { type, message: errorText(error) } });
        // The AI SDK turns a thrown error into a tool-error part the model sees.
        throw error;
      }
    },
  });
}

/**
 * The loop itself: `generateText` until the model answers in text or `maxSteps` calls are
 * made. Never throws: a failure, or ending without an answer, is the run's `error`.
 */
async function generate(
  ai: Ai,
  model: LanguageModel,
  question: string,
  tools: ToolSet,
  settings: ToolCallingRunSettings,
): Promise<{ steps: StepResult<ToolSet>[]; text: string; error: string | null }> {
  const steps: StepResult<ToolSet>[] = [];
  try {
    const result = await ai.generateText({
      model,
      system: TOOL_CALLING_SYSTEM_PROMPT,
      prompt: question,
      tools,
      stopWhen: ai.stepCountIs(settings.maxSteps),
      maxRetries: settings.maxRetries ?? 3,
      ...(settings.maxOutputTokens !== undefined
        ? { maxOutputTokens: settings.maxOutputTokens }
        : {}),
      ...(settings.signal ? { abortSignal: settings.signal } : {}),
      onStepFinish: (step) => {
        steps.push(step);
      },
    });
    const text = result.text;
    if (steps.at(-1)?.finishReason === "tool-calls") {
      const error = `Reached maxSteps (${settings.maxSteps}) without a final answer: the last model call asked for more tools. Raise the limit (--max-steps).`;
      return { steps, text, error };
    }
    if (text.trim() === "") {
      return { steps, text, error: "The model ended without an answer (an empty reply)." };
    }
    return { steps, text, error: null };
  } catch (e) {
    return { steps, text: "", error: `Tool calling failed: ${errorText(e)}` };
  }
}

/** The tokens of every step, summed. */
function usageOf(
  steps: readonly StepResult<ToolSet>[],
): Pick<ModeRunOutcome, "inputTokens" | "cachedInputTokens" | "outputTokens"> {
  let inputTokens = 0;
  let cachedInputTokens = 0;
  let outputTokens = 0;
  for (const step of steps) {
    inputTokens += step.usage.inputTokens ?? 0;
    cachedInputTokens += step.usage.inputTokenDetails?.cacheReadTokens ?? 0;
    outputTokens += step.usage.outputTokens ?? 0;
  }
  return { inputTokens, cachedInputTokens, outputTokens };
}

/** Tool results shaped like a chart (`{ type, data }`): what code mode reports as `charts`. */
function chartsOf(calls: readonly EvalToolCall[]): Record<string, unknown>[] {
  return calls
    .filter(
      (c) =>
        c.ok && isRecord(c.result) && typeof c.result.type === "string" && isRecord(c.result.data),
    )
    .map((c) => c.result as Record<string, unknown>);
}

function transcriptOf(question: string, steps: readonly StepResult<ToolSet>[]): TranscriptEntry[] {
  const out: TranscriptEntry[] = [
    { role: "system", content: TOOL_CALLING_SYSTEM_PROMPT },
    { role: "user", content: question },
  ];
  for (const step of steps) {
    for (const part of step.content) {
      if (part.type === "text" && part.text !== "") {
        out.push({ role: "assistant", content: part.text });
      } else if (part.type === "tool-call") {
        out.push({ role: "assistant", content: `call ${part.toolName}(${json(part.input)})` });
      } else if (part.type === "tool-result") {
        out.push({ role: "tool", content: `${part.toolName} → ${json(part.output)}` });
      } else if (part.type === "tool-error") {
        out.push({ role: "tool", content: `${part.toolName} failed: ${errorText(part.error)}` });
      }
    }
  }
  return out;
}

function json(value: unknown): string {
  const text =
    JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)) ?? "";
  return text.length > 2000 ? `${text.slice(0, 2000)}… (${text.length} chars)` : text;
}
