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

  it("marks the system prompt for Anthropic's prompt cache and reports cached input tokens", async () => {
    const replies = [fence("double(2)"), fence('{"summary": "4"}')];
    server = await startFakeServer((request, i) => {
      const body = request.body as {
        system?: { type: string; text: string; cache_control?: unknown }[];
        messages: unknown[];
      };
      // The server checks what a real one would cache: the system prompt, marked ephemeral.
      const marked =
        body.system?.length === 1 &&
        body.system[0]!.text.includes("- double(x: float) -> Any") &&
        JSON.stringify(body.system[0]!.cache_control) === '{"type":"ephemeral"}';
      if (!marked)
        return {
          status: 400,
          body: {
            type: "error",
            error: {
              type: "invalid_request_error",
              message: "system prompt not marked for caching",
            },
          },
        };
      // The first call writes the cache, the next ones read it.
      const usage =
        i === 0
          ? {
              input_tokens: 50,
              output_tokens: 5,
              cache_creation_input_tokens: 3000,
              cache_read_input_tokens: 0,
            }
          : {
              input_tokens: 80,
              output_tokens: 5,
              cache_creation_input_tokens: 0,
              cache_read_input_tokens: 3000,
            };
      return { body: anthropicBody(replies[i] ?? "", usage) };
    });
    const agent = new CodeModeAgent({
      tools: [double],
      maxTurns: 3,
      callLlm: createCallLlm({
        env: { ANTHROPIC_API_KEY: "test-key", ANTHROPIC_BASE_URL: server.baseURL },
      }),
    });
    const result = await agent.run("Double 2, look, then answer.");
    expect(result.error).toBeNull();
    expect(result.summary).toBe("4");
    expect(server.requests).toHaveLength(2);
    expect(result.usage).toEqual({
      inputTokens: 3050 + 3080,
      outputTokens: 10,
      totalTokens: 6140,
      cachedInputTokens: 3000,
    });
  });

  it("keeps OpenAI's prompt a plain system message, its stable part first", async () => {
    server = await startFakeServer(() => ({
      body: {
        ...openAiChatBody(fence('{"summary": "ok"}')),
        usage: {
          prompt_tokens: 2000,
          completion_tokens: 5,
          total_tokens: 2005,
          prompt_tokens_details: { cached_tokens: 1920 },
        },
      },
    }));
    const agent = new CodeModeAgent({
      tools: [double],
      model: "openai:local-model",
      now: new Date("2025-07-01T00:00:00Z"),
      callLlm: createCallLlm({ env: { OPENAI_BASE_URL: server.baseURL } }),
    });
    const result = await agent.run("hi");
    expect(result.usage.cachedInputTokens).toBe(1920);
    const system = (server.requests[0]!.body as { messages: { role: string; content: string }[] })
      .messages[0]!;
    expect(system.role).toBe("system");
    expect(system.content.startsWith("You are a helpful assistant.")).toBe(true);
    expect(system.content.endsWith("`date(2025, 7, 1)`.")).toBe(true);
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
