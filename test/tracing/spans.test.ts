/**
 * OpenTelemetry spans with the real SDK (BasicTracerProvider, InMemorySpanExporter, the
 * AsyncLocalStorage context manager a Node app registers): names, nesting, GenAI
 * attributes, error status, content off by default and on when asked.
 */
import { trace } from "@opentelemetry/api";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { CodeModeAgent, defineTool, execute, type Isolation } from "codemode";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { py } from "../helpers/python.js";
import { scripted as scriptedLlm } from "../helpers/scripted-llm.js";
import { inMemoryTracing } from "../helpers/tracing.js";

const scripted = (replies: string[]) =>
  scriptedLlm(replies, {
    usage: { inputTokens: 120, outputTokens: 30, cachedInputTokens: 100 },
    finishReason: "stop",
    whenDone: "",
  });

const exporter = inMemoryTracing();

/** A tool whose own work makes a span, as an instrumented database client would. */
const lookup = defineTool({
  name: "lookup",
  description: "A customer by id.",
  inputSchema: z.object({ id: z.number().int() }),
  execute: async ({ id }) =>
    trace.getTracer("db").startActiveSpan("db.query", async (span) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      span.end();
      if (id === 0) throw new Error("no customer 0");
      return { id, email: `c${id}@example.com` };
    }),
});

function byName(spans: ReadableSpan[], name: string): ReadableSpan {
  const span = spans.find((s) => s.name === name);
  if (!span) throw new Error(`no span ${name} in ${spans.map((s) => s.name).join(", ")}`);
  return span;
}

const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
const idOf = (span: ReadableSpan) => span.spanContext().spanId;

describe.each<Isolation>(["in-process", "process"])("spans of an agent run (%s)", (isolation) => {
  it("nests run > turn > chat / execute_code > execute_tool > the tool's own span", async () => {
    const agent = new CodeModeAgent({
      tools: [lookup],
      model: "anthropic:claude-haiku-4-5",
      maxTurns: 3,
      isolation,
      callLlm: scripted([
        py("c = lookup(7)\nc"),
        py('try:\n    lookup(0)\nexcept RuntimeError:\n    pass\n{"summary": c["email"]}'),
      ]),
    });
    const result = await agent.run("Email of customer 7?");
    expect(result.summary).toBe("c7@example.com");
    const spans = exporter.getFinishedSpans();
    const run = byName(spans, "invoke_agent codemode");
    const turns = spans.filter((s) => s.name.startsWith("turn "));
    const chats = spans.filter((s) => s.name === "chat claude-haiku-4-5");
    const programs = spans.filter((s) => s.name === "execute_code");
    const tools = spans.filter((s) => s.name === "execute_tool lookup");
    const queries = spans.filter((s) => s.name === "db.query");

    expect(turns.map((t) => t.name)).toEqual(["turn 1", "turn 2"]);
    for (const t of turns) expect(parentOf(t)).toBe(idOf(run));
    expect(chats).toHaveLength(2);
    expect(programs).toHaveLength(2);
    for (const [i, t] of turns.entries()) {
      expect(parentOf(chats[i]!)).toBe(idOf(t));
      expect(parentOf(programs[i]!)).toBe(idOf(t));
    }
    expect(tools).toHaveLength(2);
    expect(parentOf(tools[0]!)).toBe(idOf(programs[0]!));
    expect(parentOf(tools[1]!)).toBe(idOf(programs[1]!));
    // The tool's own span nests under its execute_tool span, across the process pool too.
    expect(queries.map(parentOf).sort()).toEqual(tools.map(idOf).sort());
    for (const s of spans) expect(s.spanContext().traceId).toBe(run.spanContext().traceId);

    expect(run.attributes).toMatchObject({
      "gen_ai.operation.name": "invoke_agent",
      "gen_ai.agent.name": "codemode",
      "gen_ai.provider.name": "anthropic",
      "gen_ai.request.model": "claude-haiku-4-5",
      "codemode.status": "done",
      "codemode.turns": 2,
      "gen_ai.usage.input_tokens": 240,
      "gen_ai.usage.output_tokens": 60,
      "gen_ai.usage.cache_read.input_tokens": 200,
    });
    expect(chats[0]!.attributes).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "anthropic",
      "gen_ai.usage.input_tokens": 120,
      "gen_ai.usage.output_tokens": 30,
      "gen_ai.usage.cache_read.input_tokens": 100,
      "gen_ai.response.finish_reasons": ["stop"],
    });
    expect(turns[0]!.attributes).toMatchObject({ "codemode.turn.kind": "look" });
    expect(programs[0]!.attributes).toMatchObject({
      "codemode.isolation": isolation,
      "codemode.outcome": "ok",
      "codemode.code.bytes": 15,
      "codemode.limits.timeout_ms": 30_000,
    });
    expect(tools[0]!.attributes).toMatchObject({
      "gen_ai.operation.name": "execute_tool",
      "gen_ai.tool.name": "lookup",
      "gen_ai.tool.call.id": "1",
    });
    // The failed call: error status, error.type, the exception recorded.
    expect(tools[1]!.status).toMatchObject({ code: 2, message: "no customer 0" });
    expect(tools[1]!.attributes["error.type"]).toBe("RuntimeError");
    expect(tools[1]!.events.map((e) => e.name)).toContain("exception");

    // Content is off by default: no prompts, replies, code, arguments or results.
    const keys = spans.flatMap((s) => Object.keys(s.attributes));
    for (const key of [
      "gen_ai.input.messages",
      "gen_ai.output.messages",
      "gen_ai.system_instructions",
      "codemode.code",
      "gen_ai.tool.call.arguments",
      "gen_ai.tool.call.result",
    ]) {
      expect(keys).not.toContain(key);
    }
  });
});

describe("content and failures", () => {
  it("records content when asked: messages, code, tool arguments and results", async () => {
    const agent = new CodeModeAgent({
      tools: [lookup],
      isolation: "in-process",
      telemetry: { recordContent: true, attributes: { "codemode.run_id": "run-42" } },
      callLlm: scripted([py('c = lookup(3)\n{"summary": c["email"]}')]),
    });
    await agent.run("Customer 3?");
    const spans = exporter.getFinishedSpans();
    expect(byName(spans, "invoke_agent codemode").attributes["codemode.run_id"]).toBe("run-42");
    const chat = spans.find((s) => s.name.startsWith("chat "))!;
    expect(JSON.parse(String(chat.attributes["gen_ai.input.messages"]))).toEqual([
      { role: "user", content: "Customer 3?" },
    ]);
    expect(String(chat.attributes["gen_ai.output.messages"])).toContain("lookup(3)");
    expect(byName(spans, "execute_code").attributes["codemode.code"]).toContain("lookup(3)");
    const tool = byName(spans, "execute_tool lookup");
    expect(JSON.parse(String(tool.attributes["gen_ai.tool.call.arguments"]))).toEqual({ id: 3 });
    expect(JSON.parse(String(tool.attributes["gen_ai.tool.call.result"]))).toEqual({
      id: 3,
      email: "c3@example.com",
    });
  });

  it("a failed program and a failed run set error status", async () => {
    const agent = new CodeModeAgent({
      tools: [lookup],
      isolation: "in-process",
      maxRetries: 0,
      callLlm: scripted([py("x = 1 / 0")]),
    });
    const result = await agent.run("Divide.");
    expect(result.status).toBe("failed");
    const spans = exporter.getFinishedSpans();
    const program = byName(spans, "execute_code");
    expect(program.status.code).toBe(2);
    expect(program.attributes).toMatchObject({
      "codemode.outcome": "error",
      "error.type": "ZeroDivisionError",
      "codemode.error.line": 1,
    });
    expect(byName(spans, "invoke_agent codemode").status.code).toBe(2);
    expect(byName(spans, "turn 1").attributes["codemode.turn.kind"]).toBe("failed");
  });

  it("a program the type check stops still has a failed execute_code span", async () => {
    const result = await execute('lookup(id="seven")', {
      tools: [lookup],
      isolation: "in-process",
      typeCheck: true,
    });
    expect(result.ok).toBe(false);
    const program = byName(exporter.getFinishedSpans(), "execute_code");
    expect(program.status.code).toBe(2);
    expect(program.attributes).toMatchObject({
      "error.type": "TypeCheckError",
      "codemode.error.line": 1,
      "codemode.tool_calls": 0,
    });
  });

  it("a retry's replayed call has an execute_tool span marked codemode.tool.replayed", async () => {
    let runs = 0;
    const refund = defineTool({
      name: "refund",
      inputSchema: z.object({ order_id: z.number() }),
      execute: ({ order_id }) => {
        runs += 1;
        return { order_id };
      },
    });
    const agent = new CodeModeAgent({
      tools: [refund],
      callLlm: scripted([
        py("refund(order_id=7)\n1 / 0"),
        py('r = refund(order_id=7)\n{"summary": "ok"}'),
      ]),
      isolation: "in-process",
    });
    const result = await agent.run("Refund 7");
    expect(result.status).toBe("done");
    expect(runs).toBe(1);
    const tools = exporter.getFinishedSpans().filter((s) => s.name === "execute_tool refund");
    expect(tools.map((s) => s.attributes["codemode.tool.replayed"])).toEqual([undefined, true]);
  });

  it("a compensation has its own span under the run's, failed when it threw", async () => {
    const charge = defineTool({
      name: "charge",
      inputSchema: z.object({ n: z.number() }),
      execute: ({ n }) => n,
      compensate: (input) => {
        if (input.n === 2) throw new Error("cannot undo 2");
      },
    });
    const agent = new CodeModeAgent({
      tools: [charge],
      callLlm: scripted([py("charge(n=1)\ncharge(n=2)\n1 / 0")]),
      isolation: "in-process",
      maxRetries: 0,
      compensateOnFailure: true,
    });
    expect((await agent.run("Charge")).compensations).toHaveLength(2);
    const spans = exporter.getFinishedSpans();
    const run = byName(spans, "invoke_agent codemode");
    const undone = spans.filter((s) => s.name === "compensate charge");
    expect(undone.map((s) => s.parentSpanContext?.spanId)).toEqual([
      run.spanContext().spanId,
      run.spanContext().spanId,
    ]);
    expect(undone.map((s) => [s.attributes["codemode.compensation.ok"], s.status.code])).toEqual([
      [false, 2],
      [true, 0],
    ]);
  });

  it("execute() alone makes its execute_code and execute_tool spans", async () => {
    const result = await execute("lookup(5)", { tools: [lookup], isolation: "in-process" });
    expect(result.ok).toBe(true);
    const spans = exporter.getFinishedSpans();
    const program = byName(spans, "execute_code");
    expect(parentOf(byName(spans, "execute_tool lookup"))).toBe(idOf(program));
    expect(parentOf(program)).toBeUndefined();
  });
});
