import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createOpenAI } from "@ai-sdk/openai";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { LlmError, MissingApiKeyError } from "../../src/errors.js";
import { createCallLlm, defaultCallLlm } from "../../src/llm/default-call-llm.js";
import type { ChatMessage } from "../../src/llm/types.js";
import {
  anthropicBody,
  closedPort,
  errorBody,
  type FakeServer,
  openAiChatBody,
  startFakeServer,
} from "./fake-servers.js";

const conversation: ChatMessage[] = [
  { role: "user", content: "What is 2 + 2?" },
  { role: "assistant", content: "```python\n2 + 2\n```" },
  { role: "user", content: "Result: 4. Now answer." },
];

// Tiny delays keep retry tests fast; the logic is the same as with the real defaults.
const fast = { initialRetryDelayMs: 1, maxRetryDelayMs: 5 };

let servers: FakeServer[] = [];
async function serve(handler: Parameters<typeof startFakeServer>[0]): Promise<FakeServer> {
  const server = await startFakeServer(handler);
  servers.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
  vi.unstubAllEnvs();
});

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the call to fail");
}

describe("OpenAI chat completions", () => {
  it("returns the text and token usage, and sends system prompt and messages", async () => {
    const server = await serve(() => ({ body: openAiChatBody("four") }));
    const callLlm = createCallLlm({
      env: { OPENAI_API_KEY: "sk-test", OPENAI_BASE_URL: server.baseURL },
    });

    const reply = await callLlm("openai:gpt-test", "You write Python.", conversation, {});

    expect(reply).toEqual({
      text: "four",
      usage: { inputTokens: 12, outputTokens: 5, totalTokens: 17 },
      // The provider's finish_reason, as the AI SDK names it (the chat span records it).
      finishReason: "stop",
    });
    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request?.method).toBe("POST");
    expect(request?.path).toBe("/v1/chat/completions");
    expect(request?.headers.authorization).toBe("Bearer sk-test");
    expect(request?.body).toMatchObject({
      model: "gpt-test",
      messages: [
        { role: "system", content: "You write Python." },
        { role: "user", content: "What is 2 + 2?" },
        { role: "assistant", content: "```python\n2 + 2\n```" },
        { role: "user", content: "Result: 4. Now answer." },
      ],
    });
    expect(request?.body).not.toHaveProperty("stream", true);
  });

  it("passes maxOutputTokens and temperature", async () => {
    const server = await serve(() => ({ body: openAiChatBody("ok") }));
    const callLlm = createCallLlm({
      baseURL: server.baseURL,
      maxOutputTokens: 321,
      temperature: 0.2,
      env: {},
    });
    await callLlm("openai:m", "s", [{ role: "user", content: "hi" }], {});
    expect(server.requests[0]?.body).toMatchObject({ max_tokens: 321, temperature: 0.2 });
  });

  it("needs no key when a custom base URL is set (local servers), and sends a placeholder", async () => {
    const server = await serve(() => ({ body: openAiChatBody("local") }));
    const callLlm = createCallLlm({ env: { OPENAI_BASE_URL: server.baseURL } });
    const reply = await callLlm("openai:llama3.2", "s", [{ role: "user", content: "hi" }], {});
    expect(reply).toMatchObject({ text: "local" });
    expect(server.requests[0]?.headers.authorization).toMatch(/^Bearer \S+/);
  });

  it("reads OPENAI_BASE_URL from process.env by default, at call time", async () => {
    const server = await serve(() => ({ body: openAiChatBody("from env") }));
    vi.stubEnv("OPENAI_BASE_URL", server.baseURL);
    const reply = await defaultCallLlm("openai:m", "s", [{ role: "user", content: "hi" }], {});
    expect(reply).toMatchObject({ text: "from env" });
    expect(server.requests).toHaveLength(1);
  });

  it("the baseURL option wins over OPENAI_BASE_URL", async () => {
    const wanted = await serve(() => ({ body: openAiChatBody("option") }));
    const other = await serve(() => ({ body: openAiChatBody("env") }));
    const callLlm = createCallLlm({
      baseURL: { openai: wanted.baseURL },
      env: { OPENAI_BASE_URL: other.baseURL },
    });
    const reply = await callLlm("openai:m", "s", [{ role: "user", content: "hi" }], {});
    expect(reply).toMatchObject({ text: "option" });
    expect(other.requests).toHaveLength(0);
  });

  it("ollama: is OpenAI-compatible at OLLAMA_BASE_URL and keeps colons in the model tag", async () => {
    const server = await serve(() => ({ body: openAiChatBody("from ollama") }));
    const callLlm = createCallLlm({ env: { OLLAMA_BASE_URL: server.baseURL } });
    const reply = await callLlm("ollama:llama3.2:3b", "s", [{ role: "user", content: "hi" }], {});
    expect(reply).toMatchObject({ text: "from ollama" });
    expect(server.requests[0]?.path).toBe("/v1/chat/completions");
    expect(server.requests[0]?.body).toMatchObject({ model: "llama3.2:3b" });
  });

  it("an empty reply is an LlmError", async () => {
    const server = await serve(() => ({ body: openAiChatBody("") }));
    const callLlm = createCallLlm({ baseURL: server.baseURL, env: {} });
    const error = await rejection(callLlm("openai:m", "s", [{ role: "user", content: "hi" }], {}));
    expect(error).toBeInstanceOf(LlmError);
    expect(error.message).toMatch(/empty reply/);
  });
});

describe("Anthropic messages", () => {
  it("returns text and usage, sends system marked for caching, and the key and version headers", async () => {
    const server = await serve(() => ({ body: anthropicBody("four") }));
    const callLlm = createCallLlm({
      env: { ANTHROPIC_API_KEY: "sk-ant-test", ANTHROPIC_BASE_URL: server.baseURL },
      // Set so the SDK does not warn that "claude-test" is an unknown model.
      maxOutputTokens: 1024,
    });

    const reply = await callLlm("anthropic:claude-test", "You write Python.", conversation, {});

    expect(reply).toEqual({
      text: "four",
      usage: { inputTokens: 21, outputTokens: 8, totalTokens: 29 },
      finishReason: "stop",
    });
    const [request] = server.requests;
    expect(request?.path).toBe("/v1/messages");
    expect(request?.headers["x-api-key"]).toBe("sk-ant-test");
    expect(request?.headers["anthropic-version"]).toBe("2023-06-01");
    const body = request?.body as {
      system: unknown;
      messages: unknown;
      model: string;
      max_tokens: number;
    };
    expect(body.model).toBe("claude-test");
    expect(body.max_tokens).toBe(1024);
    expect(body.system).toEqual([
      { type: "text", text: "You write Python.", cache_control: { type: "ephemeral" } },
    ]);
    expect(body.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "What is 2 + 2?" }] },
      { role: "assistant", content: [{ type: "text", text: "```python\n2 + 2\n```" }] },
      { role: "user", content: [{ type: "text", text: "Result: 4. Now answer." }] },
    ]);
  });

  it("a missing key is a MissingApiKeyError before any request", async () => {
    const server = await serve(() => ({ body: anthropicBody("never") }));
    const callLlm = createCallLlm({ env: { ANTHROPIC_BASE_URL: server.baseURL } });
    const error = await rejection(
      callLlm("anthropic:claude-test", "s", [{ role: "user", content: "hi" }], {}),
    );
    expect(error).toBeInstanceOf(MissingApiKeyError);
    expect(error.message).toContain("ANTHROPIC_API_KEY");
    // The variable is also a field, for UIs that say what to set.
    expect((error as MissingApiKeyError).envVar).toBe("ANTHROPIC_API_KEY");
    expect(error.message).toContain("replay:");
    expect(server.requests).toHaveLength(0);
  });

  it("the apiKeys option wins over the environment", async () => {
    const server = await serve(() => ({ body: anthropicBody("ok") }));
    const callLlm = createCallLlm({
      baseURL: server.baseURL,
      apiKeys: { anthropic: "from-option" },
      maxOutputTokens: 1024,
      env: { ANTHROPIC_API_KEY: "from-env" },
    });
    await callLlm("anthropic:claude-test", "s", [{ role: "user", content: "hi" }], {});
    expect(server.requests[0]?.headers["x-api-key"]).toBe("from-option");
  });
});

describe("missing keys for the hosted OpenAI API", () => {
  it("throws MissingApiKeyError naming OPENAI_API_KEY without any fetch", async () => {
    const fetch = vi.fn<typeof globalThis.fetch>();
    const callLlm = createCallLlm({ env: {}, fetch });
    const error = await rejection(callLlm("openai:gpt-4.1-mini", "s", [], {}));
    expect(error).toBeInstanceOf(MissingApiKeyError);
    expect(error.message).toContain("OPENAI_API_KEY");
    expect(error.message).toContain("OPENAI_BASE_URL");
    expect(fetch).not.toHaveBeenCalled();
  });
});

describe("retries", () => {
  it("retries 429 then 500, then succeeds", async () => {
    const server = await serve((_request, index) => {
      if (index === 0) return { status: 429, body: errorBody("slow down", "rate_limit_error") };
      if (index === 1) return { status: 500, body: errorBody("boom", "api_error") };
      return { body: openAiChatBody("finally") };
    });
    const onRetry = vi.fn();
    const callLlm = createCallLlm({ ...fast, baseURL: server.baseURL, env: {}, onRetry });
    const reply = await callLlm("openai:m", "s", [{ role: "user", content: "hi" }], {});
    expect(reply).toMatchObject({ text: "finally" });
    expect(server.requests).toHaveLength(3);
    expect(onRetry).toHaveBeenCalledTimes(2);
  });

  it("retries Anthropic 529 (overloaded) too", async () => {
    const server = await serve((_request, index) =>
      index === 0
        ? { status: 529, body: errorBody("Overloaded", "overloaded_error") }
        : { body: anthropicBody("ok") },
    );
    const callLlm = createCallLlm({
      ...fast,
      baseURL: server.baseURL,
      env: { ANTHROPIC_API_KEY: "k" },
      maxOutputTokens: 1024,
    });
    await callLlm("anthropic:claude-test", "s", [{ role: "user", content: "hi" }], {});
    expect(server.requests).toHaveLength(2);
  });

  it("gives up after maxRetries with an LlmError that carries the status", async () => {
    const server = await serve(() => ({ status: 503, body: errorBody("unavailable") }));
    const callLlm = createCallLlm({ ...fast, maxRetries: 2, baseURL: server.baseURL, env: {} });
    const error = await rejection(callLlm("openai:m", "s", [{ role: "user", content: "hi" }], {}));
    expect(server.requests).toHaveLength(3);
    expect(error).toBeInstanceOf(LlmError);
    expect((error as LlmError).status).toBe(503);
    expect(error.message).toContain("after 3 attempts");
  });

  it("does not retry 401 and says which key to check", async () => {
    const server = await serve(() => ({
      status: 401,
      body: errorBody("invalid x-api-key", "authentication_error"),
    }));
    const callLlm = createCallLlm({
      ...fast,
      baseURL: server.baseURL,
      env: { OPENAI_API_KEY: "bad" },
    });
    const error = await rejection(callLlm("openai:m", "s", [{ role: "user", content: "hi" }], {}));
    expect(server.requests).toHaveLength(1);
    expect(error).toBeInstanceOf(LlmError);
    expect(error).not.toBeInstanceOf(MissingApiKeyError);
    expect((error as LlmError).status).toBe(401);
    expect(error.message).toContain("OPENAI_API_KEY");
    expect(error.message).toContain("invalid x-api-key");
  });

  it("does not retry 404 and says to check the model name", async () => {
    const server = await serve(() => ({
      status: 404,
      body: errorBody("model 'nope' not found", "not_found_error"),
    }));
    const callLlm = createCallLlm({ ...fast, baseURL: server.baseURL, env: {} });
    const error = await rejection(
      callLlm("openai:nope", "s", [{ role: "user", content: "hi" }], {}),
    );
    expect(server.requests).toHaveLength(1);
    expect((error as LlmError).status).toBe(404);
    expect(error.message).toContain("openai:nope");
    expect(error.message).toMatch(/model name/);
  });

  it("retries a refused connection, then fails with an LlmError naming the server", async () => {
    const port = await closedPort();
    const onRetry = vi.fn();
    const callLlm = createCallLlm({
      ...fast,
      maxRetries: 2,
      onRetry,
      baseURL: `http://127.0.0.1:${port}/v1`,
      env: {},
    });
    const error = await rejection(callLlm("openai:m", "s", [{ role: "user", content: "hi" }], {}));
    expect(onRetry).toHaveBeenCalledTimes(2);
    expect(error).toBeInstanceOf(LlmError);
    expect(error.message).toContain(`127.0.0.1:${port}`);
    expect(error.message).toContain("ECONNREFUSED");
    expect(error.message).toContain("after 3 attempts");
  });

  it("honours retry-after-ms", async () => {
    const server = await serve((_request, index) =>
      index === 0
        ? { status: 429, headers: { "retry-after-ms": "150" }, body: errorBody("wait") }
        : { body: openAiChatBody("ok") },
    );
    const callLlm = createCallLlm({ ...fast, baseURL: server.baseURL, env: {} });
    const started = Date.now();
    await callLlm("openai:m", "s", [{ role: "user", content: "hi" }], {});
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });
});

describe("cancelling", () => {
  it("an abort cancels a slow request promptly and rejects with the signal's reason", async () => {
    const server = await serve(() => "hang");
    const callLlm = createCallLlm({ baseURL: server.baseURL, env: {} });
    const controller = new AbortController();
    const pending = rejection(
      callLlm("openai:m", "s", [{ role: "user", content: "hi" }], { signal: controller.signal }),
    );
    // Abort once the request hangs at the server.
    await vi.waitFor(() => expect(server.requests).toHaveLength(1), { timeout: 10_000 });
    const aborted = Date.now();
    controller.abort();
    const error = await pending;
    expect(Date.now() - aborted).toBeLessThan(1000);
    expect(error).toBe(controller.signal.reason);
    expect(server.requests).toHaveLength(1);
  });

  it("an abort also ends a retry wait", async () => {
    const controller = new AbortController();
    const server = await serve(() => {
      // The caller gives up while the client sits in its 10 s wait before the retry.
      setTimeout(() => controller.abort(new Error("gave up")), 100);
      return { status: 500, body: errorBody("boom") };
    });
    const callLlm = createCallLlm({
      initialRetryDelayMs: 10_000,
      baseURL: server.baseURL,
      env: {},
    });
    const started = Date.now();
    const error = await rejection(
      callLlm("openai:m", "s", [{ role: "user", content: "hi" }], { signal: controller.signal }),
    );
    expect(error.message).toBe("gave up");
    // Well inside the 10 s wait: the abort ended it.
    expect(Date.now() - started).toBeLessThan(8000);
    expect(server.requests).toHaveLength(1);
  });

  it("an already-aborted signal sends nothing", async () => {
    const server = await serve(() => ({ body: openAiChatBody("never") }));
    const callLlm = createCallLlm({ baseURL: server.baseURL, env: {} });
    const signal = AbortSignal.abort();
    await expect(
      callLlm("openai:m", "s", [{ role: "user", content: "hi" }], { signal }),
    ).rejects.toBe(signal.reason);
    expect(server.requests).toHaveLength(0);
  });
});

describe("model strings and custom providers", () => {
  it("rejects a model without a provider, or an unknown provider, listing the known ones", async () => {
    const callLlm = createCallLlm({ env: {} });
    const noColon = await rejection(callLlm("gpt-4o", "s", [], {}));
    expect(noColon).toBeInstanceOf(LlmError);
    expect(noColon.message).toContain("anthropic:claude-haiku-4-5");
    const unknown = await rejection(callLlm("mistral:large", "s", [], {}));
    expect(unknown).toBeInstanceOf(LlmError);
    expect(unknown.message).toMatch(/anthropic, openai, ollama, replay/);
  });

  it("calls a registered provider by name", async () => {
    const server = await serve(() => ({ body: openAiChatBody("custom") }));
    const local = createOpenAI({ baseURL: server.baseURL, apiKey: "x" });
    const callLlm = createCallLlm({ providers: { mine: (name) => local.chat(name) }, env: {} });
    const reply = await callLlm("mine:tiny", "s", [{ role: "user", content: "hi" }], {});
    expect(reply).toMatchObject({ text: "custom" });
    expect(server.requests[0]?.body).toMatchObject({ model: "tiny" });
  });
});

describe("replay: models", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "codemode-replay-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("answers with the recorded replies in order, then errors past the end", async () => {
    const file = join(dir, "demo.jsonl");
    await writeFile(
      file,
      `${JSON.stringify("first")}\n\n${JSON.stringify({ text: "second", usage: { inputTokens: 3, outputTokens: 4 } })}\n`,
    );
    const callLlm = createCallLlm({ env: {} });
    expect(await callLlm(`replay:${file}`, "s", [], {})).toBe("first");
    expect(await callLlm(`replay:${file}`, "s", [], {})).toEqual({
      text: "second",
      usage: { inputTokens: 3, outputTokens: 4 },
    });
    const error = await rejection(callLlm(`replay:${file}`, "s", [], {}));
    expect(error).toBeInstanceOf(LlmError);
    expect(error.message).toContain("2 recorded replies");

    // A new client starts the file again.
    expect(await createCallLlm()(`replay:${file}`, "s", [], {})).toBe("first");
  });

  it("a missing file is an LlmError naming the path", async () => {
    const file = join(dir, "nope.jsonl");
    const error = await rejection(createCallLlm()(`replay:${file}`, "s", [], {}));
    expect(error).toBeInstanceOf(LlmError);
    expect(error.message).toContain(file);
  });
});
