/**
 * Issue 19, items 2 and 10: exception text and captured content are bounded wherever they
 * leave the sandbox. Real OpenTelemetry SDK (BasicTracerProvider, InMemorySpanExporter,
 * the AsyncLocalStorage context manager); a scripted model.
 */
import { context, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { type AgentEvent, type ChatMessage, CodeModeAgent, defineTool, execute } from "codemode";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
});
afterAll(async () => {
  await provider.shutdown();
  trace.disable();
  context.disable();
});
beforeEach(() => exporter.reset());

const py = (code: string) => `\`\`\`python\n${code}\n\`\`\``;

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
