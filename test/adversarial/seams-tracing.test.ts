import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { type AgentEvent, type ChatMessage, CodeModeAgent, defineTool, execute } from "codemode";
import { describe, expect, it } from "vitest";
import { py } from "../helpers/python.js";
import { inMemoryTracing } from "../helpers/tracing.js";

const exporter = inMemoryTracing();

/** Every string a span holds: status, attributes, event names and attributes. */
function spanText(spans: readonly ReadableSpan[]): string[] {
  const texts: string[] = [];
  for (const span of spans) {
    texts.push(span.status.message ?? "");
    for (const value of Object.values(span.attributes)) texts.push(String(value));
    for (const event of span.events) {
      texts.push(event.name);
      for (const value of Object.values(event.attributes ?? {})) texts.push(String(value));
    }
  }
  return texts;
}

const shout = defineTool({
  name: "shout",
  description: "Fails with a very long message.",
  parameters: { type: "object", properties: {} },
  execute: () => {
    throw new Error(`upstream said: ${"y".repeat(4_000_000)}`);
  },
});

describe("issue 19 item 2: exception messages are bounded", () => {
  it("raise ValueError('x' * 4000000): the retry message, the result, events and spans stay small", async () => {
    const sent: ChatMessage[][] = [];
    const events: AgentEvent[] = [];
    const agent = new CodeModeAgent({
      tools: [shout],
      model: "test:scripted",
      maxRetries: 1,
      isolation: "in-process",
      callLlm: async (_model, _system, messages) => {
        sent.push(structuredClone(messages));
        return py(sent.length === 1 ? 'raise ValueError("x" * 4000000)' : "shout()");
      },
    });
    const result = await agent.run("go", [], { onEvent: (e) => events.push(e) });
    expect(result.status).toBe("failed");
    // The retry request: the error, the code and the instructions, not 4 MB.
    const retry = sent[1]!;
    expect(JSON.stringify(retry).length).toBeLessThan(10_000);
    expect(retry.at(-1)!.content).toContain("more characters of this error left out");
    expect(result.error!.length).toBeLessThan(3000);
    expect(result.error).toContain("RuntimeError");
    expect(JSON.stringify(result).length).toBeLessThan(20_000);
    expect(JSON.stringify(events).length).toBeLessThan(60_000);
    const texts = spanText(exporter.getFinishedSpans());
    expect(Math.max(...texts.map((t) => t.length))).toBeLessThan(3000);
    expect(texts.join("").length).toBeLessThan(60_000);
  });

  it("a tool's 4 MB error message reaches Python and the record cut, through execute() in a worker", async () => {
    const result = await execute(
      ["try:", "    shout()", "except RuntimeError as e:", "    n = len(str(e))", "n"].join("\n"),
      { tools: [shout] },
    );
    expect(result.ok).toBe(true);
    expect((result as { value: number }).value).toBeLessThan(3000);
    expect(result.toolCalls[0]!.error!.message.length).toBeLessThan(3000);
  });
});

const bigResult = defineTool({
  name: "big_result",
  description: "Returns 1 MB of text.",
  parameters: { type: "object", properties: {} },
  execute: () => "r".repeat(1_000_000),
});

const keyed = defineTool({
  name: "find_customer",
  description: "Fails with the address it was given.",
  parameters: { type: "object", properties: { email: { type: "string" } }, required: ["email"] },
  execute: ({ email }) => {
    throw new Error(`no customer ${String(email)} ${"with details ".repeat(100)}`);
  },
});

describe("issue 19 item 10: content capture is capped, and without it spans hold type and a short message", () => {
  it("recordContent: each content attribute is cut at maxContentChars (default 4096) and says so", async () => {
    const agent = new CodeModeAgent({
      tools: [bigResult],
      model: "test:scripted",
      isolation: "in-process",
      telemetry: { recordContent: true },
      callLlm: async () =>
        py(`s = big_result()\n{"summary": "n", "code": "${"c".repeat(10_000)}"}`),
    });
    const result = await agent.run("x".repeat(5_000_000));
    expect(result.status).toBe("done");
    const spans = exporter.getFinishedSpans();
    const attributes = spans.flatMap((s) => Object.entries(s.attributes));
    const content = attributes.filter(([key]) =>
      [
        "gen_ai.input.messages",
        "gen_ai.output.messages",
        "gen_ai.system_instructions",
        "gen_ai.tool.call.result",
        "codemode.code",
      ].includes(key),
    );
    expect(content.map(([key]) => key)).toEqual(
      expect.arrayContaining(["gen_ai.input.messages", "gen_ai.tool.call.result", "codemode.code"]),
    );
    for (const [, value] of content) expect(String(value).length).toBeLessThan(4096 + 120);
    const input = content.find(([key]) => key === "gen_ai.input.messages")![1];
    expect(String(input)).toMatch(
      /cut, 4096 of \d+ characters kept \(telemetry\.maxContentChars\)\]$/,
    );

    exporter.reset();
    await execute("big_result()", {
      tools: [bigResult],
      isolation: "in-process",
      telemetry: { recordContent: true, maxContentChars: 100 },
    });
    const tool = exporter.getFinishedSpans().find((s) => s.name === "execute_tool big_result")!;
    expect(String(tool.attributes["gen_ai.tool.call.result"]).length).toBeLessThan(220);
  });

  it("content off: a failed call's span has the exception type and at most 200 characters of its message, no arguments, no stack", async () => {
    const result = await execute('find_customer("ada@example.com")', {
      tools: [keyed],
      isolation: "in-process",
      telemetry: { recordContent: false },
    });
    expect(result.ok).toBe(false);
    const spans = exporter.getFinishedSpans();
    const tool = spans.find((s) => s.name === "execute_tool find_customer")!;
    expect(tool.attributes["error.type"]).toBe("RuntimeError");
    expect(tool.attributes["gen_ai.tool.call.arguments"]).toBeUndefined();
    expect(tool.status.message!.length).toBeLessThan(260);
    for (const span of spans) {
      for (const event of span.events) {
        expect(event.attributes?.["exception.stacktrace"]).toBeUndefined();
        expect(String(event.attributes?.["exception.message"] ?? "").length).toBeLessThan(260);
      }
      expect((span.status.message ?? "").length).toBeLessThan(260);
    }
  });
});
