/**
 * Issue 19, item 1: a `describe_tool` / `search_tools` argument the program controls must
 * not hold the host's event loop. A chat server on loopback with 300 tools (compact
 * listing) runs programs that pass megabyte names and queries; `/health` keeps answering
 * while they run, and each call comes back with a short, catchable ValueError.
 * (The time per call is measured in bench/seams.mjs.)
 */
import { CodeModeAgent, defineTool, execute } from "codemode";
import { type ChatServer, type ChatStreamEvent, startChatServer } from "codemode/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const tools = Array.from({ length: 300 }, (_, i) =>
  defineTool({
    name: `service_${i}_fetch_record`,
    description: `Fetches record kind ${i} from service ${i}.`,
    parameters: { type: "object", properties: { id: { type: "string" } }, required: ["id"] },
    execute: ({ id }) => `record ${i}:${String(id)}`,
  }),
);

let server: ChatServer;
let gateCalled = false;
let releaseGate: () => void = () => {};

const gate = defineTool({
  name: "wait_for_health",
  description: "Resolves once the test has seen /health answer while the run is going on.",
  parameters: { type: "object", properties: {} },
  execute: () =>
    new Promise<string>((resolve) => {
      releaseGate = () => resolve("ok");
      gateCalled = true;
    }),
});

const PROGRAM = [
  "big = 'x' * 1000000",
  "sizes = []",
  "for i in range(5):",
  "    try:",
  "        describe_tool(big)",
  "    except ValueError as e:",
  "        sizes.append(len(str(e)))",
  "    try:",
  "        search_tools('A' * 1000000)",
  "    except ValueError as e:",
  "        sizes.append(len(str(e)))",
  "    try:",
  "        search_tools(big)",
  "    except ValueError as e:",
  "        sizes.append(len(str(e)))",
  "wait_for_health()",
  '{"summary": "done", "sizes": sizes}',
].join("\n");

beforeAll(async () => {
  const agent = new CodeModeAgent({
    tools: [...tools, gate],
    model: "test:scripted",
    toolListing: "compact",
    isolation: "in-process",
    callLlm: async () => `\`\`\`python\n${PROGRAM}\n\`\`\``,
  });
  server = await startChatServer({ agent, port: 0 });
});

afterAll(async () => {
  await server?.close();
});

describe("issue 19 item 1: discovery builtins and the event loop", () => {
  it("a chat server keeps answering /health while a program passes 1 MB names to describe_tool", async () => {
    const chat = fetch(`${server.url}api/chat`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ message: "look it up" }),
    }).then((r) => r.text());
    // Every /health asked while the program makes its 15 calls is answered; before the fix
    // one call held the event loop for 15-50 s, so these polls ran out of time.
    let answered = 0;
    await expect
      .poll(
        async () => {
          if ((await fetch(`${server.url}health`)).ok) answered += 1;
          return gateCalled;
        },
        { timeout: 60_000, interval: 5 },
      )
      .toBe(true);
    // The run is still going on (it waits at wait_for_health): the server answers.
    expect((await fetch(`${server.url}health`)).status).toBe(200);
    expect(answered).toBeGreaterThan(0);
    releaseGate();
    const lines = (await chat).trim().split("\n");
    const done = JSON.parse(lines[lines.length - 1]!) as ChatStreamEvent & {
      result?: { status: string; value: { sizes: number[] } };
    };
    expect(done.result?.status).toBe("done");
    const sizes = done.result!.value.sizes;
    expect(sizes).toHaveLength(15);
    for (const size of sizes) expect(size).toBeLessThan(400);
  }, 120_000);

  it("describe_tool with a long name near a real one answers a bounded message, the real name still suggested for a typo", async () => {
    const result = await execute(
      [
        "out = []",
        "for name in ['service_1_fetch_recrd', 'y' * 300000]:",
        "    try:",
        "        describe_tool(name)",
        "    except ValueError as e:",
        "        out.append(str(e))",
        "out",
      ].join("\n"),
      { tools, toolDiscovery: true, isolation: "in-process" },
    );
    expect(result.ok).toBe(true);
    const [typo, huge] = (result as { value: string[] }).value;
    expect(typo).toContain('Did you mean "service_1_fetch_record"?');
    expect(huge!.length).toBeLessThan(400);
    expect(huge).toContain("300000 characters");
  });

  it("a parallel_map of two million items is refused in the sandbox before the host receives the batch", async () => {
    const result = await execute(
      "parallel_map(service_1_fetch_record, [str(i) for i in range(2000000)])",
      {
        tools,
        limits: { timeoutMs: 60_000, maxMemoryBytes: 1024 * 1024 * 1024 },
      },
    );
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.type).toBe("ToolCallLimitError");
      expect(result.error.message).toContain(
        "a parallel_map of 2000000 calls would pass 200 tool calls",
      );
    }
    expect(result.toolCalls).toEqual([]);
  }, 120_000);
});
