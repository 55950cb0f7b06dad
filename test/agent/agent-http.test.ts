/**
 * The agent with the real default callLlm, against local servers that speak the OpenAI
 * chat-completions and Anthropic messages protocols.
 */
import { CodeModeAgent, createCallLlm, defineTool } from "codemode";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  anthropicBody,
  type FakeServer,
  openAiChatBody,
  startFakeServer,
} from "../llm/fake-servers.js";

const double = defineTool({
  name: "double",
  description: "Twice x.",
  parameters: z.object({ x: z.number() }),
  execute: ({ x }) => x * 2,
});

const fence = (code: string) => `\`\`\`python\n${code}\n\`\`\``;

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("CodeModeAgent over HTTP", () => {
  it("talks to an OpenAI-compatible server, retries a failed program, sums usage", async () => {
    const replies = [fence("double(21) + undefined_name"), fence('{"summary": str(double(21))}')];
    server = await startFakeServer((_req, i) => ({ body: openAiChatBody(replies[i] ?? "") }));
    const agent = new CodeModeAgent({
      tools: [double],
      model: "openai:local-model",
      callLlm: createCallLlm({ env: { OPENAI_BASE_URL: server.baseURL } }),
    });
    const result = await agent.run("What is 21 doubled?");
    expect(result.error).toBeNull();
    expect(result.summary).toBe("42");
    expect(result.attempts).toBe(2);
    expect(result.usage).toEqual({ inputTokens: 24, outputTokens: 10, totalTokens: 34 });

    const [first, second] = server.requests as {
      body: { model: string; messages: { role: string; content: string }[] };
    }[];
    expect(first!.body.model).toBe("local-model");
    expect(first!.body.messages[0]).toMatchObject({ role: "system" });
    expect(first!.body.messages[0]!.content).toContain("- double(x: float) -> Any");
    expect(second!.body.messages.map((m) => m.role)).toEqual([
      "system",
      "user",
      "assistant",
      "user",
    ]);
    expect(second!.body.messages[3]!.content).toContain("undefined_name");
  });

  it("talks to an Anthropic messages server", async () => {
    server = await startFakeServer(() => ({ body: anthropicBody(fence('{"summary": "hi"}')) }));
    const agent = new CodeModeAgent({
      tools: [],
      callLlm: createCallLlm({
        env: { ANTHROPIC_API_KEY: "test-key", ANTHROPIC_BASE_URL: server.baseURL },
      }),
    });
    const result = await agent.run("hello");
    expect(result.summary).toBe("hi");
    expect(server.requests[0]!.headers["x-api-key"]).toBe("test-key");
    expect((server.requests[0]!.body as { model: string }).model).toBe("claude-haiku-4-5");
  });

  it("says which key to set when it is missing, before any request", async () => {
    server = await startFakeServer(() => ({ body: anthropicBody("x") }));
    const agent = new CodeModeAgent({
      tools: [],
      callLlm: createCallLlm({ env: { ANTHROPIC_BASE_URL: server.baseURL } }),
    });
    const result = await agent.run("hello");
    expect(result.error).toMatch(/^Code generation failed: .*ANTHROPIC_API_KEY/);
    expect(server.requests).toHaveLength(0);
  });
});
