/**
 * Tracing a durable run across workers. Each attempt of the `run` handler (the first, and
 * every retry after a worker died) is a `durable_run` span carrying the run id; the agent's
 * spans nest under it. The first attempt's span context is journaled as a step, so a later
 * attempt, in another process with a new trace, reads it back and links to it: the crashed
 * attempt's trace and the one that finished show side by side.
 */
import { context, type SpanContext, TraceFlags, trace } from "@opentelemetry/api";
import type { WorkflowContext } from "@restatedev/restate-sdk";
import { failSpan, tracer } from "../tracing/spans.js";

export async function inDurableRunSpan<T>(
  ctx: WorkflowContext,
  service: string,
  run: () => Promise<T>,
): Promise<T> {
  const span = tracer().startSpan(`durable_run ${service}`, {
    attributes: { "codemode.run_id": ctx.key, "codemode.durable.service": service },
  });
  const here = span.spanContext();
  const first = await ctx.run("trace", () => ({ traceId: here.traceId, spanId: here.spanId }));
  const resumed = first.spanId !== here.spanId;
  span.setAttribute("codemode.durable.resumed", resumed);
  if (resumed && trace.isSpanContextValid(first as SpanContext)) {
    span.addLink({
      context: {
        traceId: first.traceId,
        spanId: first.spanId,
        traceFlags: TraceFlags.SAMPLED,
        isRemote: true,
      },
      attributes: { "codemode.link": "earlier_attempt" },
    });
  }
  try {
    return await context.with(trace.setSpan(context.active(), span), run);
  } catch (error) {
    failSpan(span, error);
    throw error;
  } finally {
    span.end();
  }
}
