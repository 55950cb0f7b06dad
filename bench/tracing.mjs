#!/usr/bin/env node
/**
 * What tracing costs: `npm run build && node bench/tracing.mjs [--json]`.
 *
 * - Off (no tracer provider registered, the default): the spans codemode starts are no-ops.
 *   Measured as the per-call cost of a program making 2000 tool calls, and of a whole agent
 *   run, against the same with a provider registered (on); and directly, the cost of one
 *   no-op span (start + end) next to an empty loop iteration.
 * - On: the real SDK (BasicTracerProvider, a SimpleSpanProcessor into an exporter that drops
 *   the spans, the AsyncLocalStorage context manager), in the same process, afterwards.
 *
 * In-process isolation, medians of 9 runs after warm-up.
 */
import { context, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { BasicTracerProvider, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";

const { CodeModeAgent, defineTool, execute } = await import("codemode");
const json = process.argv.includes("--json");
const CALLS = 2000;
const RUNS = 9;

const inc = defineTool({
  name: "inc",
  inputSchema: { type: "object", properties: { x: { type: "integer" } }, required: ["x"] },
  execute: ({ x }) => x + 1,
});
const tools = [inc];
const loop = `s = 0\nfor i in range(${CALLS}):\n    s = inc(s)\ns`;
const limits = { maxToolCalls: CALLS + 10 };

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function perCallUs() {
  const times = [];
  for (let i = 0; i < RUNS + 3; i++) {
    const t0 = performance.now();
    const result = await execute(loop, { tools, isolation: "in-process", limits });
    if (!result.ok) throw new Error(result.error.message);
    if (i >= 3) times.push(performance.now() - t0);
  }
  return (median(times) * 1000) / CALLS;
}

async function agentRunMs() {
  const reply = '```python\nrows = [inc(i) for i in range(20)]\n{"summary": str(sum(rows))}\n```';
  const agent = new CodeModeAgent({ tools, isolation: "in-process", callLlm: async () => reply });
  const times = [];
  for (let i = 0; i < RUNS + 3; i++) {
    const t0 = performance.now();
    const result = await agent.run("sum");
    if (result.status !== "done") throw new Error(result.error);
    if (i >= 3) times.push(performance.now() - t0);
  }
  return median(times);
}

function noopSpanNs() {
  const tracer = trace.getTracer("bench");
  const n = 1_000_000;
  let t0 = performance.now();
  for (let i = 0; i < n; i++) tracer.startSpan("x").end();
  const spans = performance.now() - t0;
  t0 = performance.now();
  let sink = 0;
  for (let i = 0; i < n; i++) sink += i;
  const empty = performance.now() - t0;
  return { spanNs: ((spans - empty) * 1e6) / n, sink };
}

// Off first: nothing registered.
const off = { perCallUs: await perCallUs(), runMs: await agentRunMs(), noop: noopSpanNs() };

let exported = 0;
const provider = new BasicTracerProvider({
  spanProcessors: [
    new SimpleSpanProcessor({
      export: (spans, done) => {
        exported += spans.length;
        done({ code: 0 });
      },
      shutdown: async () => undefined,
    }),
  ],
});
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
trace.setGlobalTracerProvider(provider);
const on = { perCallUs: await perCallUs(), runMs: await agentRunMs() };
await provider.shutdown();

const rows = [
  ["tool call, tracing off (no provider)", `${off.perCallUs.toFixed(2)} µs`],
  [
    "tool call, tracing on (SDK, spans dropped)",
    `${on.perCallUs.toFixed(2)} µs (+${(on.perCallUs - off.perCallUs).toFixed(2)} µs, x${(on.perCallUs / off.perCallUs).toFixed(2)})`,
  ],
  ["agent run (1 LLM call, 20 tool calls), off", `${off.runMs.toFixed(2)} ms`],
  [
    "agent run, on",
    `${on.runMs.toFixed(2)} ms (+${(on.runMs - off.runMs).toFixed(2)} ms, x${(on.runMs / off.runMs).toFixed(2)})`,
  ],
  ["one no-op span (start + end), off", `${off.noop.spanNs.toFixed(0)} ns`],
  ["spans exported while on", String(exported)],
];
if (json) {
  process.stdout.write(`${JSON.stringify({ off, on, exported })}\n`);
} else {
  const width = Math.max(...rows.map(([name]) => name.length));
  for (const [name, value] of rows) process.stdout.write(`${name.padEnd(width)}  ${value}\n`);
}
