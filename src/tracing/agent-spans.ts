/**
 * The spans the agent loop opens: the run (`invoke_agent codemode`), each turn
 * (`turn {n}`) and each LLM call (`chat {model}`), with their names and attributes in one
 * place. Programs get theirs from execute-span.ts.
 */
import type { Context, Span } from "@opentelemetry/api";
import { trace } from "@opentelemetry/api";
import {
  contentText,
  errorChars,
  failSpan,
  inSpan,
  maxContentChars,
  modelAttributes,
  recordsContent,
  SpanKind,
  type TelemetryOptions,
  tracer,
} from "./spans.js";

/** Runs `fn` in the run's `invoke_agent codemode` span (active inside). */
export function inRunSpan<T>(
  run: {
    model: string;
    maxTurns: number;
    resumed: boolean;
    telemetry: TelemetryOptions | undefined;
  },
  fn: (span: Span, ctx: Context) => Promise<T>,
): Promise<T> {
  const { telemetry } = run;
  return inSpan(
    "invoke_agent codemode",
    {
      attributes: {
        "gen_ai.operation.name": "invoke_agent",
        "gen_ai.agent.name": "codemode",
        ...modelAttributes(run.model),
        "codemode.max_turns": run.maxTurns,
        "codemode.resumed": run.resumed,
        ...(telemetry?.attributes ?? {}),
      },
      ...(telemetry?.links ? { links: telemetry.links } : {}),
    },
    fn,
  );
}

/** The run's outcome on its span: status, counts, token usage; a failed run fails the span. */
export function endRunSpan(
  span: Span,
  result: {
    status: string;
    turns: readonly unknown[];
    attempts: number;
    usage: { inputTokens: number; outputTokens: number; cachedInputTokens?: number | undefined };
    error?: string | null | undefined;
  },
  telemetry: TelemetryOptions | undefined,
): void {
  span.setAttribute("codemode.status", result.status);
  span.setAttribute("codemode.turns", result.turns.length);
  span.setAttribute("codemode.attempts", result.attempts);
  span.setAttribute("gen_ai.usage.input_tokens", result.usage.inputTokens);
  span.setAttribute("gen_ai.usage.output_tokens", result.usage.outputTokens);
  if (result.usage.cachedInputTokens !== undefined) {
    span.setAttribute("gen_ai.usage.cache_read.input_tokens", result.usage.cachedInputTokens);
  }
  if (result.status === "failed")
    failSpan(span, new Error(result.error ?? "failed"), "AgentRunFailed", errorChars(telemetry));
}

/** Opens turn `turn`'s span under the run's context; the caller ends it. */
export function startTurnSpan(turn: number, runCtx: Context): { span: Span; ctx: Context } {
  const span = tracer().startSpan(
    `turn ${turn}`,
    { attributes: { "codemode.turn": turn } },
    runCtx,
  );
  return { span, ctx: trace.setSpan(runCtx, span) };
}

/** How the turn ended on its span (a failed turn fails it); does not end the span. */
export function markTurnSpan(
  span: Span,
  record: { kind: string; attempts: number; error?: string | undefined },
  telemetry: TelemetryOptions | undefined,
): void {
  span.setAttribute("codemode.turn.kind", record.kind);
  span.setAttribute("codemode.turn.attempts", record.attempts);
  if (record.kind === "failed")
    failSpan(span, new Error(record.error ?? "failed"), "TurnFailed", errorChars(telemetry));
}

/** What one LLM call sent, for its span's content attributes. */
interface ChatSpanRequest {
  model: string;
  system: string;
  messages: unknown;
  telemetry: TelemetryOptions | undefined;
}

/** Runs one LLM call in its `chat {model}` span, recording the request's content when on. */
export function inChatSpan<T>(
  request: ChatSpanRequest,
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const model = modelAttributes(request.model);
  return inSpan(
    `chat ${model["gen_ai.request.model"]}`,
    { kind: SpanKind.CLIENT, attributes: { "gen_ai.operation.name": "chat", ...model } },
    async (span) => {
      if (recordsContent(request.telemetry) && span.isRecording()) {
        const max = maxContentChars(request.telemetry);
        span.setAttribute("gen_ai.system_instructions", contentText(request.system, max));
        span.setAttribute(
          "gen_ai.input.messages",
          contentText(JSON.stringify(request.messages), max),
        );
      }
      return fn(span);
    },
  );
}

/** The reply on an LLM call's span: usage (when given), finish reason, and content when on. */
export function recordChatReply(
  span: Span,
  reply: {
    text: string;
    usage?: { input: number; output: number; cached?: number | undefined } | undefined;
    finishReason?: string | undefined;
  },
  telemetry: TelemetryOptions | undefined,
): void {
  if (reply.usage) {
    span.setAttribute("gen_ai.usage.input_tokens", reply.usage.input);
    span.setAttribute("gen_ai.usage.output_tokens", reply.usage.output);
    const cached = reply.usage.cached;
    if (cached !== undefined && cached > 0)
      span.setAttribute("gen_ai.usage.cache_read.input_tokens", cached);
  }
  if (reply.finishReason) span.setAttribute("gen_ai.response.finish_reasons", [reply.finishReason]);
  if (recordsContent(telemetry) && span.isRecording()) {
    const content = JSON.stringify([{ role: "assistant", content: reply.text }]);
    span.setAttribute("gen_ai.output.messages", contentText(content, maxContentChars(telemetry)));
  }
}
