/**
 * Tracing for the command line. The library only emits spans through `@opentelemetry/api`;
 * here the CLI registers the Node SDK (an optional dependency, loaded only when wanted):
 *
 * - `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) set: spans go to
 *   that OTLP/HTTP collector (`codemode run`, `chat`, `mcp`, `worker`), batched, flushed on exit;
 *   the service is `$OTEL_SERVICE_NAME`, else `codemode`.
 * - `codemode run --trace`: the run's span tree is printed to stderr when it ends.
 *
 * Telemetry never fails a run: an export that fails (a collector that is down, refuses,
 * or answers an error) is one warning on stderr naming the exporter and its endpoint, the
 * spans are dropped, and shutdown waits at most `SHUTDOWN_WAIT_MS` for the last batch. The
 * exit code is the run's.
 */
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace-node";
import { errorText } from "../error-text.js";
import { InvalidOptionsError } from "../errors.js";

export interface CliTracing {
  /** Flushes and stops; prints the span tree first with `--trace`. */
  shutdown(): Promise<void>;
}

const NOTHING: CliTracing = { shutdown: async () => undefined };

/** The longest the CLI waits, as it exits, for its last spans to be exported. */
export const SHUTDOWN_WAIT_MS = 2000;

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
  const warn = onceWarning();
  if (endpoint) {
    const { OTLPTraceExporter } = await import("@opentelemetry/exporter-trace-otlp-http");
    const where = otlpTracesUrl(endpoint, process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
    // Each export (retries included) gives up after SHUTDOWN_WAIT_MS, unless the standard
    // variables ask otherwise, so a collector that is down cannot hold the exit.
    const timeoutSet =
      process.env.OTEL_EXPORTER_OTLP_TRACES_TIMEOUT || process.env.OTEL_EXPORTER_OTLP_TIMEOUT;
    const otlp = new OTLPTraceExporter(timeoutSet ? {} : { timeoutMillis: SHUTDOWN_WAIT_MS });
    const exporter = new WarningExporter(otlp, `OTLP/HTTP exporter (${where})`, warn);
    processors.push(new sdk.BatchSpanProcessor(exporter));
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
      let timer: NodeJS.Timeout | undefined;
      const waited = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), SHUTDOWN_WAIT_MS);
        timer.unref();
      });
      try {
        const ended = await Promise.race([provider.shutdown().then(() => "done" as const), waited]);
        if (ended === "timeout") {
          warn(`tracing: spans not exported within ${SHUTDOWN_WAIT_MS} ms of the end were dropped`);
        }
      } catch (error) {
        warn(`tracing: shutting the tracer down failed: ${errorText(error)}`);
      } finally {
        clearTimeout(timer);
      }
      if (tree) process.stderr.write(tree.render());
    },
  };
}

/** A stderr warning, each text once (an exporter fails once per batch). */
function onceWarning(): (text: string) => void {
  const seen = new Set<string>();
  return (text) => {
    if (seen.has(text)) return;
    seen.add(text);
    process.stderr.write(`codemode: warning: ${text} (the run is not affected)\n`);
  };
}

/** Where the OTLP/HTTP exporter sends traces, as its configuration says. */
function otlpTracesUrl(endpoint: string, tracesEndpoint: string | undefined): string {
  if (tracesEndpoint) return tracesEndpoint;
  return `${endpoint.replace(/\/+$/, "")}/v1/traces`;
}

/**
 * An exporter whose failures are warnings: it reports success to the span processor (so
 * nothing retries or rejects at shutdown) and says once what failed and where.
 */
class WarningExporter implements SpanExporter {
  constructor(
    private readonly inner: SpanExporter,
    private readonly name: string,
    private readonly warn: (text: string) => void,
  ) {}

  export(spans: ReadableSpan[], done: (result: { code: number }) => void): void {
    try {
      this.inner.export(spans, (result) => {
        if (result.code !== 0) {
          const why = (result as { error?: unknown }).error;
          this.warn(
            `tracing: the ${this.name} could not export ${spans.length} span(s): ${why === undefined ? "failed" : errorText(why)}`,
          );
        }
        done({ code: 0 });
      });
    } catch (error) {
      this.warn(`tracing: the ${this.name} failed: ${errorText(error)}`);
      done({ code: 0 });
    }
  }

  async shutdown(): Promise<void> {
    try {
      await this.inner.shutdown();
    } catch (error) {
      this.warn(`tracing: the ${this.name} failed to shut down: ${errorText(error)}`);
    }
  }

  async forceFlush(): Promise<void> {
    try {
      await this.inner.forceFlush?.();
    } catch (error) {
      this.warn(`tracing: the ${this.name} failed to flush: ${errorText(error)}`);
    }
  }
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
