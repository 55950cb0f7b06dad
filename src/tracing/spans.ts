/**
 * OpenTelemetry spans for runs, turns, LLM calls, programs and tool calls, named and
 * attributed after the GenAI semantic conventions, so Jaeger, Honeycomb, Langfuse, Logfire
 * or Tempo show them without configuration. Only `@opentelemetry/api` is used: with no
 * tracer provider registered every span is a no-op (see bench/tracing.mjs for the cost).
 *
 * Attributes that hold content (prompts, replies, code, tool arguments and results) can
 * hold personal data, so they are recorded only when asked: `telemetry: { recordContent:
 * true }` on the agent or `execute()`, or `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true`.
 */
import {
  type Attributes,
  type Context,
  context,
  type Link,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from "@opentelemetry/api";
import { cutErrorText, errorText, MAX_ERROR_CHARS } from "../error-text.js";

/** How much a run's spans record. */
export interface TelemetryOptions {
  /**
   * Record content: prompts and replies (`gen_ai.input.messages`, `gen_ai.output.messages`),
   * the program's code, tool arguments and results. Default `false` (they can hold
   * personal data), or `true` when `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true`.
   */
  recordContent?: boolean;
  /**
   * With content on: the most characters one content attribute keeps (a prompt, a tool's
   * result); past it the value ends with a note saying how much was cut. Default `4096`.
   */
  maxContentChars?: number;
  /** Extra attributes on the run's span (e.g. `{ "codemode.run_id": id }`). */
  attributes?: Attributes;
  /** Links on the run's span, e.g. to the trace of an earlier attempt of the same run. */
  links?: Link[];
}

const TRACER_NAME = "codemode";

export function tracer() {
  return trace.getTracer(TRACER_NAME);
}

/** Default `telemetry.maxContentChars`. */
export const DEFAULT_MAX_CONTENT_CHARS = 4096;
/**
 * With content off, the characters of an exception's message a span keeps: messages can
 * hold values (a `KeyError`'s key, an address in a `ValueError`), so only their start.
 */
export const ERROR_CHARS_WITHOUT_CONTENT = 200;

/** The characters one content attribute keeps under `options`. */
export function maxContentChars(options: TelemetryOptions | undefined): number {
  const max = options?.maxContentChars;
  return typeof max === "number" && Number.isInteger(max) && max >= 0
    ? max
    : DEFAULT_MAX_CONTENT_CHARS;
}

/** A content attribute's value: `text` cut to `max` characters, saying so when it is. */
export function contentText(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}…[codemode: cut, ${max} of ${text.length} characters kept (telemetry.maxContentChars)]`;
}

/** How much of an exception's message spans keep: the cap of errors, or less without content. */
export function errorChars(options: TelemetryOptions | undefined): number {
  return recordsContent(options) ? MAX_ERROR_CHARS : ERROR_CHARS_WITHOUT_CONTENT;
}

export function recordsContent(options: TelemetryOptions | undefined): boolean {
  if (options?.recordContent !== undefined) return options.recordContent;
  return process.env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT === "true";
}

/**
 * Runs `fn` in a new span, child of `parent` (default: the active context), with the span's
 * context active inside so spans started within nest under it. Ends the span; a throw sets
 * the error status and records the exception.
 */
export async function inSpan<T>(
  name: string,
  options: { kind?: SpanKind; attributes?: Attributes; links?: Link[]; parent?: Context },
  fn: (span: Span, ctx: Context) => Promise<T>,
): Promise<T> {
  const parent = options.parent ?? context.active();
  const span = tracer().startSpan(
    name,
    {
      kind: options.kind ?? SpanKind.INTERNAL,
      ...(options.attributes ? { attributes: options.attributes } : {}),
      ...(options.links ? { links: options.links } : {}),
    },
    parent,
  );
  const ctx = trace.setSpan(parent, span);
  try {
    return await context.with(ctx, () => fn(span, ctx));
  } catch (error) {
    failSpan(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/**
 * Marks a span failed: error status, `error.type`, and the exception (type and message,
 * never a stack) as an event. The message is cut to `maxChars`: by default what a span
 * keeps with content off (`errorChars` gives the cap for a run's telemetry options).
 */
export function failSpan(
  span: Span,
  error: unknown,
  type?: string,
  maxChars = ERROR_CHARS_WITHOUT_CONTENT,
): void {
  const message = cutErrorText(errorText(error), maxChars);
  const name = type ?? (error instanceof Error ? error.name : "Error");
  span.setStatus({ code: SpanStatusCode.ERROR, message });
  span.setAttribute("error.type", name);
  span.recordException({ name, message });
}

/** `anthropic:claude-haiku-4-5` as the GenAI provider and model attributes. */
export function modelAttributes(model: string): Attributes {
  const colon = model.indexOf(":");
  const provider = colon > 0 ? model.slice(0, colon) : "unknown";
  const name = colon > 0 ? model.slice(colon + 1) : model;
  return { "gen_ai.provider.name": provider, "gen_ai.request.model": name };
}

export { SpanKind, SpanStatusCode };
