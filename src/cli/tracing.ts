/**
 * Tracing for the command line. The library only emits spans through `@opentelemetry/api`;
 * here the CLI registers the Node SDK (an optional dependency, loaded only when wanted):
 *
 * - `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) set: spans go to
 *   that OTLP/HTTP collector (`codemode run`, `chat`, `mcp`, `worker`), batched, flushed on exit;
 *   the service is `$OTEL_SERVICE_NAME`, else `codemode`.
 * - `codemode run --trace`: the run's span tree is printed to stderr when it ends.
 */
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace-node";
import { errorText } from "../error-text.js";
import { InvalidOptionsError } from "../errors.js";

export interface CliTracing {
  /** Flushes and stops; prints the span tree first with `--trace`. */
  shutdown(): Promise<void>;
}

const NOTHING: CliTracing = { shutdown: async () => undefined };

/** Sets up what the environment and flags ask for; a no-op when nothing is asked. */
export async function startCliTracing(options: { printTree?: boolean } = {}): Promise<CliTracing> {
  const endpoint =
    process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint && !options.printTree) return NOTHING;
  let sdk: typeof import("@opentelemetry/sdk-trace-node");
  let resources: typeof import("@opentelemetry/resources");
  try {
    sdk = await import("@opentelemetry/sdk-trace-node");
    resources = await import("@opentelemetry/resources");
  } catch (error) {
    throw new InvalidOptionsError(
      `Tracing needs the OpenTelemetry Node SDK (optional dependencies of codemode): npm install @opentelemetry/sdk-trace-node @opentelemetry/exporter-trace-otlp-http (${errorText(error)}).`,
    );
  }
  const processors = [];
  const tree = options.printTree ? new TreeExporter() : undefined;
  if (tree) processors.push(new sdk.SimpleSpanProcessor(tree));
  if (endpoint) {
    const { OTLPTraceExporter } = await import("@opentelemetry/exporter-trace-otlp-http");
    processors.push(new sdk.BatchSpanProcessor(new OTLPTraceExporter()));
  }
  const provider = new sdk.NodeTracerProvider({
    resource: resources.resourceFromAttributes({
      "service.name": process.env.OTEL_SERVICE_NAME || "codemode",
    }),
    spanProcessors: processors,
  });
  provider.register();
  return {
    async shutdown() {
      await provider.shutdown();
      if (tree) process.stderr.write(tree.render());
    },
  };
}

/** Keeps finished spans to print them as a tree. */
class TreeExporter implements SpanExporter {
  private readonly spans: ReadableSpan[] = [];

  export(spans: ReadableSpan[], done: (result: { code: number }) => void): void {
    this.spans.push(...spans);
    done({ code: 0 });
  }

  async shutdown(): Promise<void> {}

  render(): string {
    const children = new Map<string | undefined, ReadableSpan[]>();
    const ids = new Set(this.spans.map((s) => s.spanContext().spanId));
    for (const span of this.spans) {
      const parent = span.parentSpanContext?.spanId;
      const key = parent && ids.has(parent) ? parent : undefined;
      children.set(key, [...(children.get(key) ?? []), span]);
    }
    const lines: string[] = ["trace:"];
    const walk = (parent: string | undefined, depth: number) => {
      const list = (children.get(parent) ?? []).sort(
        (a, b) => time(a.startTime) - time(b.startTime),
      );
      for (const span of list) {
        const ms = time(span.endTime) - time(span.startTime);
        const failed =
          span.status.code === 2 ? `  ✗ ${span.attributes["error.type"] ?? "error"}` : "";
        lines.push(
          `${"  ".repeat(depth + 1)}${span.name}  ${ms.toFixed(1)} ms${detail(span)}${failed}`,
        );
        walk(span.spanContext().spanId, depth + 1);
      }
    };
    walk(undefined, 0);
    return `${lines.join("\n")}\n`;
  }
}

function time([seconds, nanos]: [number, number]): number {
  return seconds * 1000 + nanos / 1e6;
}

/** The few attributes worth a glance in a terminal. */
function detail(span: ReadableSpan): string {
  const a = span.attributes;
  const parts: string[] = [];
  if (a["gen_ai.usage.input_tokens"] !== undefined) {
    parts.push(`tokens ${a["gen_ai.usage.input_tokens"]}/${a["gen_ai.usage.output_tokens"] ?? 0}`);
  }
  if (a["codemode.outcome"] !== undefined) parts.push(String(a["codemode.outcome"]));
  if (a["codemode.tool_calls"] !== undefined) parts.push(`${a["codemode.tool_calls"]} tool calls`);
  if (a["codemode.turn.kind"] !== undefined) parts.push(String(a["codemode.turn.kind"]));
  return parts.length > 0 ? `  (${parts.join(", ")})` : "";
}
