/**
 * Compensation: when a run with `compensateOnFailure` ends failed or cancelled, each
 * completed call whose tool has `compensate` is undone once, newest first. A compensation
 * that throws is reported, never thrown; one that hangs is given up on after the tool's
 * time limit. Each one is marked in the run's journal, so it never runs twice.
 */
import { type Context, context, trace } from "@opentelemetry/api";
import { cutErrorText, errorText } from "../error-text.js";
import type { EffectJournal } from "../execute/call-policy.js";
import { DEFAULT_LIMITS, type Limits } from "../sandbox/limits.js";
import { toJsonSafe } from "../sandbox/values.js";
import { clampTimerMs } from "../timer.js";
import { pythonTypeOf } from "../tools/call/thrown-error.js";
import type { Tool } from "../tools/types.js";
import { failSpan, tracer } from "../tracing/spans.js";
import type { Compensation } from "./types.js";

export async function compensateEffects(options: {
  journal: EffectJournal;
  tools: readonly Tool[];
  limits: Partial<Limits> | undefined;
  reason: "failed" | "cancelled";
  error: string | null;
  parent: Context;
  onCompensation: (compensation: Compensation) => void;
}): Promise<Compensation[]> {
  const byName = new Map(options.tools.map((t) => [t.name, t]));
  const done: Compensation[] = [];
  for (const entry of [...options.journal.entries].reverse()) {
    const tool = byName.get(entry.tool);
    if (!entry.ok || entry.compensated || !tool?.compensate) continue;
    // Marked first: a compensation starts at most once, even if this one never returns.
    entry.compensated = true;
    const timeoutMs =
      tool.timeoutMs ?? options.limits?.toolTimeoutMs ?? DEFAULT_LIMITS.toolTimeoutMs;
    const span = tracer().startSpan(
      `compensate ${entry.tool}`,
      { attributes: { "gen_ai.tool.name": entry.tool, "codemode.tool.call.seq": entry.seq } },
      options.parent,
    );
    const t0 = performance.now();
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const reason = new Error(
          `the compensation of ${entry.tool}() did not finish within ${timeoutMs} ms`,
        );
        reason.name = "TimeoutError";
        controller.abort(reason);
        reject(reason);
      }, clampTimerMs(timeoutMs));
    });
    let outcome: Pick<Compensation, "ok" | "result" | "error">;
    try {
      const given = {
        signal: controller.signal,
        reason: options.reason,
        ...(options.error ? { error: options.error } : {}),
      };
      // In its span's context, so the compensation's own spans nest under it.
      const undo = context.with(trace.setSpan(options.parent, span), () =>
        Promise.resolve().then(() => tool.compensate!(entry.args, toJsonSafe(entry.value), given)),
      );
      const value = await Promise.race([undo, expired]);
      outcome = { ok: true, result: toJsonSafe(value) };
    } catch (error) {
      const failure = { type: pythonTypeOf(error), message: cutErrorText(errorText(error)) };
      outcome = { ok: false, error: failure };
      failSpan(span, error instanceof Error ? error : new Error(failure.message), failure.type);
    } finally {
      clearTimeout(timer);
    }
    span.setAttribute("codemode.compensation.ok", outcome.ok);
    span.end();
    const compensation: Compensation = {
      tool: entry.tool,
      args: entry.args,
      seq: entry.seq,
      turn: entry.turn,
      attempt: entry.attempt,
      ...outcome,
      durationMs: performance.now() - t0,
    };
    done.push(compensation);
    options.onCompensation(compensation);
  }
  return done;
}
