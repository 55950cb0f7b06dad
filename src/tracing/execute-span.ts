/**
 * The `execute_code` span: one home for its name and attributes, used by a run of
 * `execute()` (`ExecutionRun.traced`) and by a program the type check stopped before it ran.
 */
import type { Attributes, Context, Span } from "@opentelemetry/api";
import {
  contentText,
  errorChars,
  failSpan,
  inSpan,
  maxContentChars,
  recordsContent,
  type TelemetryOptions,
  tracer,
} from "./spans.js";

export const EXECUTE_CODE_SPAN = "execute_code";

/** What an `execute_code` span says about the program before it runs. */
export interface ProgramSpanInfo {
  code: string;
  isolation: string | undefined;
  telemetry: TelemetryOptions | undefined;
  /** Whether spans hold content; read from `telemetry` (or the env) when not given. */
  recordContent?: boolean;
  /** Extra attributes at the start (resumed, limits). */
  attributes?: Attributes;
}

/** How the program ended, for the span. */
export type ProgramSpanOutcome =
  | { outcome: "ok" | "suspended"; toolCalls: number }
  | {
      outcome: "error";
      toolCalls: number;
      error: { type: string; message: string; line?: number | undefined };
    };

function startAttributes(program: ProgramSpanInfo): Attributes {
  return {
    "codemode.code.bytes": Buffer.byteLength(program.code),
    "codemode.isolation": program.isolation ?? "process",
    ...(program.attributes ?? {}),
  };
}

function recordCode(span: Span, program: ProgramSpanInfo): void {
  const content = program.recordContent ?? recordsContent(program.telemetry);
  if (span.isRecording() && content)
    span.setAttribute(
      "codemode.code",
      contentText(program.code, maxContentChars(program.telemetry)),
    );
}

/** Sets the outcome attributes; an error also fails the span (with its line when known). */
export function endProgramSpan(
  span: Span,
  end: ProgramSpanOutcome,
  telemetry: TelemetryOptions | undefined,
): void {
  span.setAttribute("codemode.tool_calls", end.toolCalls);
  span.setAttribute("codemode.outcome", end.outcome);
  if (end.outcome !== "error") return;
  failSpan(span, new Error(end.error.message), end.error.type, errorChars(telemetry));
  if (end.error.line !== undefined) span.setAttribute("codemode.error.line", end.error.line);
}

/** Runs `run` in an `execute_code` span (active inside), ending it with `outcome(result)`. */
export function inProgramSpan<T>(
  program: ProgramSpanInfo,
  run: (ctx: Context) => Promise<T>,
  outcome: (result: T) => ProgramSpanOutcome,
): Promise<T> {
  return inSpan(EXECUTE_CODE_SPAN, { attributes: startAttributes(program) }, async (span, ctx) => {
    recordCode(span, program);
    const result = await run(ctx);
    endProgramSpan(span, outcome(result), program.telemetry);
    return result;
  });
}

/** A program that never ran (the type check stopped it) still gets its span, failed. */
export function traceProgramNotRun(
  program: ProgramSpanInfo,
  error: { type: string; message: string; line?: number | undefined },
): void {
  const span = tracer().startSpan(EXECUTE_CODE_SPAN, { attributes: startAttributes(program) });
  recordCode(span, program);
  endProgramSpan(span, { outcome: "error", toolCalls: 0, error }, program.telemetry);
  span.end();
}
