/**
 * The default LLM client against real HTTP servers on loopback that misbehave: they hang,
 * rate-limit, fail, answer garbage or drop the connection. Each ends in a typed LlmError
 * after the expected number of attempts; the agent turns it into a failed result.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { CodeModeAgent, createCallLlm, defineTool, LlmError } from "codemode";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { errorBody, openAiChatBody } from "../llm/fake-servers.js";
import { sleep, watchUnhandledRejections } from "./watch.js";

const unhandled = watchUnhandledRejections();
afterAll(async () => {
  await sleep(100);
  unhandled.stop();
  expect(unhandled.reasons).toEqual([]);
});

type Handler = (req: IncomingMessage, res: ServerResponse, index: number) => void;

interface RawServer {
  baseURL: string;
  hits: number;
  close(): Promise<void>;
}

const servers: RawServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** An HTTP server whose handler may answer anything at all, or drop the socket. */
async function serve(handler: Handler): Promise<RawServer> {
  let hits = 0;
  const server = createServer((req, res) => {
    const index = hits++;
    req.resume();
    req.on("end", () => handler(req, res, index));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const raw: RawServer = {
    baseURL: `http://127.0.0.1:${port}/v1`,
    get hits() {
      return hits;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  servers.push(raw);
  return raw;
}

const json = (res: ServerResponse, status: number, body: unknown, headers = {}) => {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
};

function client(server: RawServer, extra: Parameters<typeof createCallLlm>[0] = {}) {
  const retries: number[] = [];
  const callLlm = createCallLlm({
    env: { OPENAI_API_KEY: "sk-test", OPENAI_BASE_URL: server.baseURL },
    maxRetries: 2,
    initialRetryDelayMs: 1,
    maxRetryDelayMs: 5,
    onRetry: ({ attempt }) => retries.push(attempt),
    ...extra,
  });
  return { callLlm, retries };
}

async function llmFailure(promise: Promise<unknown>): Promise<LlmError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(LlmError);
    return error as LlmError;
  }
  throw new Error("expected the LLM call to fail");
}

const ask = (callLlm: ReturnType<typeof createCallLlm>, signal?: AbortSignal) =>
  callLlm("openai:test-model", "system", [{ role: "user", content: "hi" }], {
    ...(signal ? { signal } : {}),
  });

describe("LLM faults through the default client", () => {
  it("times out a server that never answers, retries, then fails with LlmError", async () => {
    const server = await serve(() => undefined);
    const { callLlm, retries } = client(server, { requestTimeoutMs: 300 });
    const t0 = performance.now();
    const error = await llmFailure(ask(callLlm));
    expect(error.message).toMatch(/did not answer within 300 ms after 3 attempts/);
    expect(error.message).toContain("requestTimeoutMs");
    expect(retries).toEqual([1, 2]);
    // On a very busy machine an attempt can time out before its request reaches the server.
    expect(server.hits).toBeGreaterThanOrEqual(1);
    expect(server.hits).toBeLessThanOrEqual(3);
    // Bounded, not forever (3 x 300 ms plus backoff; generous for a loaded machine).
    expect(performance.now() - t0).toBeLessThan(20_000);
  });

  it("stops at once when the caller aborts a hung request", async () => {
    const controller = new AbortController();
    // The user leaves once the request hangs at the server (never answered).
    const server = await serve(() => {
      setTimeout(() => controller.abort(new Error("user left")), 50);
    });
    const { callLlm } = client(server);
    await expect(ask(callLlm, controller.signal)).rejects.toThrow("user left");
    expect(server.hits).toBe(1);
  });

  it("retries 429 and reports the status", async () => {
    const server = await serve((_req, res) =>
      json(res, 429, errorBody("slow down", "rate_limit_error"), { "retry-after-ms": "5" }),
    );
    const { callLlm, retries } = client(server);
    const error = await llmFailure(ask(callLlm));
    expect(error.status).toBe(429);
    expect(error.message).toMatch(/rate-limited .* after 3 attempts/);
    expect(server.hits).toBe(3);
    expect(retries).toHaveLength(2);
  });

  it("retries 500 and recovers when the server does", async () => {
    const failing = await serve((_req, res) => json(res, 500, errorBody("boom")));
    const down = client(failing);
    const error = await llmFailure(ask(down.callLlm));
    expect(error.status).toBe(500);
    expect(failing.hits).toBe(3);

    const flaky = await serve((_req, res, i) =>
      i < 2 ? json(res, 503, errorBody("busy")) : json(res, 200, openAiChatBody("hello")),
    );
    const up = client(flaky);
    expect(await ask(up.callLlm)).toMatchObject({ text: "hello" });
    expect(flaky.hits).toBe(3);
    expect(up.retries).toEqual([1, 2]);
  });

  it("fails with LlmError on a garbage body, without retrying it", async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end("<html>this is not the API you are looking for{");
    });
    const { callLlm } = client(server);
    const error = await llmFailure(ask(callLlm));
    expect(error.message).toContain("openai:test-model");
    expect(server.hits).toBe(1);
  });

  it("fails with LlmError on valid JSON of the wrong shape", async () => {
    const server = await serve((_req, res) => json(res, 200, { choices: "nope", id: 7 }));
    const { callLlm } = client(server);
    await llmFailure(ask(callLlm));
  });

  it("fails with LlmError on an empty 200 body", async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end();
    });
    const { callLlm } = client(server);
    await llmFailure(ask(callLlm));
  });

  it("retries a connection reset and fails with 'Could not reach'", async () => {
    const server = await serve((req) => req.socket.resetAndDestroy());
    const { callLlm, retries } = client(server);
    const error = await llmFailure(ask(callLlm));
    expect(error.message).toMatch(/Could not reach openai .*after 3 attempts/);
    expect(server.hits).toBe(3);
    expect(retries).toHaveLength(2);
  });

  it("fails with LlmError when the body is cut off mid-way", async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": "500" });
      res.write('{"id":"chatcmpl-1","choices":[{"index":0,"mess');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const { callLlm } = client(server);
    await llmFailure(ask(callLlm));
  });

  it("gives the agent a failed result, not a rejection, and the next run works", async () => {
    let healthy = false;
    const server = await serve((_req, res) =>
      healthy
        ? json(res, 200, openAiChatBody("```python\nadd(2, 3)\n```"))
        : json(res, 500, errorBody("down")),
    );
    const { callLlm } = client(server);
    const add = defineTool({
      name: "add",
      parameters: { type: "object", properties: { a: { type: "number" }, b: { type: "number" } } },
      execute: ({ a, b }) => Number(a) + Number(b),
    });
    const agent = new CodeModeAgent({
      tools: [add],
      model: "openai:test-model",
      callLlm,
      isolation: "in-process",
      typeCheck: false,
    });
    const down = await agent.run("add two and three");
    expect(down.error).toMatch(/Code generation failed: .*server error/);
    healthy = true;
    const up = await agent.run("add two and three");
    expect(up.error).toBeNull();
    expect(up.value).toBe(5);
  });
});
