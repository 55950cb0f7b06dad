/**
 * One tool call's bookkeeping, from the moment the dispatcher takes it to its outcome:
 * its seq and clock, its `execute_tool` span, and the one record written when it ends
 * (in `toolCalls`, in the run's journal when it was a side effect, and to `onToolResult`).
 * Every way a call can end goes through `succeed` or `fail`, so none can skip the record.
 */
import { type Context, type Span, SpanStatusCode } from "@opentelemetry/api";
import { cutErrorText, MAX_ERROR_CHARS } from "../error-text.js";
import type { LimitName } from "../sandbox/error-types.js";
import type { CallOutcome } from "../sandbox/protocol.js";
import { toJsonSafe } from "../sandbox/values.js";
import {
  contentText,
  DEFAULT_MAX_CONTENT_CHARS,
  ERROR_CHARS_WITHOUT_CONTENT,
  tracer,
} from "../tracing/spans.js";
import type { EffectJournal } from "./call-policy.js";
import type { ExecuteOptions, ToolCallError, ToolCallRecord } from "./types.js";

/** Where a call's record goes: the dispatcher's records, journal, listener and tracing. */
export interface CallLogSink {
  readonly records: ToolCallRecord[];
  readonly journal: EffectJournal;
  readonly events: Pick<ExecuteOptions, "onToolCall" | "onToolResult">;
  readonly trace: { parent: () => Context; recordContent: boolean; maxContentChars?: number };
}

type CallEnd = { result: unknown } | { error: ToolCallError };

export class CallLog {
  readonly startedAt = Date.now();
  private readonly t0 = performance.now();
  // An `execute_tool {name}` span per call; with no tracer provider it is a no-op.
  readonly span: Span;
  /** The arguments as they were before the tool ran, set once a side effect's execute is called. */
  effect: Record<string, unknown> | undefined;
  /** The outcome is an earlier attempt's, given again without running the tool. */
  replayed = false;

  constructor(
    private readonly sink: CallLogSink,
    readonly name: string,
    readonly seq: number,
  ) {
    this.span = tracer().startSpan(
      `execute_tool ${name}`,
      {
        attributes: {
          "gen_ai.operation.name": "execute_tool",
          "gen_ai.tool.name": name,
          "gen_ai.tool.call.id": String(seq),
        },
      },
      sink.trace.parent(),
    );
  }

  succeed(args: unknown, value: unknown): CallOutcome {
    this.record(args, { result: value });
    return { ok: true, value };
  }

  fail(
    args: unknown,
    type: string,
    fullMessage: string,
    /** Ends the run: `true`, or the name of the limit that was hit. */
    fatal: boolean | LimitName = false,
    stack?: string,
  ): CallOutcome {
    const message = cutErrorText(fullMessage);
    // The stack stays in the host's record; Python (and so the model) gets the message.
    this.record(args, { error: { type, message, ...(stack ? { stack } : {}) } });
    if (!fatal) return { ok: false, type, message };
    return { ok: false, type, message, fatal: true, ...(fatal === true ? {} : { limit: fatal }) };
  }

  private record(args: unknown, end: CallEnd): void {
    const { sink, span } = this;
    if (span.isRecording()) {
      if (this.replayed) span.setAttribute("codemode.tool.replayed", true);
      endToolSpan(
        span,
        args,
        end,
        sink.trace.recordContent,
        sink.trace.maxContentChars ?? DEFAULT_MAX_CONTENT_CHARS,
      );
    }
    const entry: ToolCallRecord = {
      seq: this.seq,
      name: this.name,
      args,
      ok: "result" in end,
      ...("result" in end ? { result: toJsonSafe(end.result) } : { error: end.error }),
      startedAt: this.startedAt,
      durationMs: performance.now() - this.t0,
      ...(this.effect ? { sideEffect: true as const } : {}),
      ...(this.replayed ? { replayed: true as const } : {}),
    };
    if (this.effect) {
      const journal = sink.journal;
      journal.entries.push({
        tool: this.name,
        args: this.effect,
        ...("result" in end ? { ok: true, value: end.result } : { ok: false, error: end.error }),
        turn: journal.turn,
        attempt: journal.attempt,
        seq: this.seq,
      });
    }
    sink.records.push(entry);
    sink.events.onToolResult?.(entry);
  }
}

/** Ends a tool call's span with its outcome (and, when asked, its arguments and result). */
function endToolSpan(
  span: Span,
  args: unknown,
  end: CallEnd,
  recordContent: boolean,
  maxContent: number,
): void {
  if (recordContent) {
    span.setAttribute("gen_ai.tool.call.arguments", contentText(safeJson(args), maxContent));
    if ("result" in end) {
      span.setAttribute("gen_ai.tool.call.result", contentText(safeJson(end.result), maxContent));
    }
  }
  if ("error" in end) {
    const message = cutErrorText(
      end.error.message,
      recordContent ? MAX_ERROR_CHARS : ERROR_CHARS_WITHOUT_CONTENT,
    );
    span.setStatus({ code: SpanStatusCode.ERROR, message });
    span.setAttribute("error.type", end.error.type);
    span.recordException({ name: end.error.type, message });
  }
  span.end();
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(toJsonSafe(value)) ?? "null";
  } catch {
    return String(value);
  }
}
