/** The chat API over real HTTP on a random port, with CodeModeAgent and the example data tools. */
import { type AgentEvent, CodeModeAgent, defineTool, InvalidOptionsError } from "codemode";
import { type ChatAgent, type ChatServer, checkModelSetup, createChatApp } from "codemode/server";
import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { dataTools, nudges } from "../../examples/data-tools/tools.js";
import {
  chatServers,
  py,
  REVENUE_CODE,
  readEvents,
  scripted,
  streamEvents,
  WRONG_DATASET_CODE,
} from "./helpers.js";

const start = chatServers();

function dataAgent(
  replies: string[],
  extra: ConstructorParameters<typeof CodeModeAgent>[0]["tools"] = [],
) {
  // Typed as ChatAgent: this line fails to compile if CodeModeAgent stops satisfying it.
  const agent: ChatAgent = new CodeModeAgent({
    tools: [...dataTools, ...(Array.isArray(extra) ? extra : [])],
    callLlm: scripted(replies),
    model: "test:scripted",
  });
  return agent;
}

async function runs(server: ChatServer): Promise<{ running: number; queued: number }> {
  const health = (await (await fetch(`${server.url}health`)).json()) as {
    runs: { running: number; queued: number };
  };
  return health.runs;
}

/** Generous on a loaded machine; polling returns as soon as the condition holds. */
const WAIT = { timeout: 10_000, interval: 20 };

const chat = (server: ChatServer, body: unknown, init: RequestInit = {}, query = "") =>
  fetch(`${server.url}api/chat${query}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(init.headers ?? {}) },
    body: typeof body === "string" ? body : JSON.stringify(body),
    ...(init.signal ? { signal: init.signal } : {}),
  });

describe("POST /api/chat", () => {
  it("streams the agent's events as NDJSON, in order, ending with done", async () => {
    const server = await start({ agent: dataAgent([py(REVENUE_CODE)]) });
    const response = await chat(server, { message: "Which region sold most?" });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("application/x-ndjson");
    const events = await readEvents(response);
    const types = events.map((e) => e.type);
    expect(types[0]).toBe("generating_code");
    expect(types.indexOf("code_generated")).toBeLessThan(types.indexOf("executing"));
    expect(types.indexOf("executing")).toBeLessThan(types.indexOf("tool_call"));
    expect(types.at(-2)).toBe("formatting");
    expect(types.at(-1)).toBe("done");
    const calls = events.filter((e) => e.type === "tool_call") as Extract<
      AgentEvent,
      { type: "tool_call" }
    >[];
    expect(calls.map((c) => c.call.name)).toEqual([
      "fetch_data",
      "group_and_aggregate",
      "create_chart",
    ]);
    expect(events.filter((e) => e.type === "tool_result")).toHaveLength(3);
    expect(events.some((e) => e.type === "output" && e.text.includes("regions: 4"))).toBe(true);
    const done = events.at(-1) as Extract<AgentEvent, { type: "done" }>;
    expect(done.result.error).toBeNull();
    expect(done.result.summary).toMatch(/^\*\*\w+\*\* had the highest revenue\.$/);
    expect(done.result.charts).toHaveLength(1);
    expect((done.result.charts[0] as { type: string }).type).toBe("bar");
  });

  it("streams a failed attempt, the retry and the final answer", async () => {
    const server = await start({ agent: dataAgent([py(WRONG_DATASET_CODE), py(REVENUE_CODE)]) });
    const events = await readEvents(await chat(server, { message: "Revenue by region?" }));
    const retry = events.find((e) => e.type === "retrying");
    expect(retry && "error" in retry ? retry.error : "").toContain('Unknown dataset "sales"');
    const done = events.at(-1) as Extract<AgentEvent, { type: "done" }>;
    expect(done.result.attempts).toBe(2);
    expect(done.result.error).toBeNull();
  });

  it("returns one JSON answer for Accept: application/json and for ?stream=false", async () => {
    const server = await start({ agent: dataAgent([py(REVENUE_CODE), py(REVENUE_CODE)]) });
    const viaAccept = await chat(
      server,
      { message: "Which region?", history: [{ role: "user", content: "hi" }] },
      { headers: { accept: "application/json" } },
    );
    expect(viaAccept.status).toBe(200);
    expect(viaAccept.headers.get("content-type")).toContain("application/json");
    const body = (await viaAccept.json()) as { result: { summary: string; charts: unknown[] } };
    expect(body.result.summary).toContain("had the highest revenue");
    expect(body.result.charts).toHaveLength(1);

    const viaQuery = await chat(server, { message: "Again" }, {}, "?stream=false");
    expect(((await viaQuery.json()) as { result: { error: unknown } }).result.error).toBeNull();
  });

  it("passes the history to the agent", async () => {
    const seen: unknown[] = [];
    const agent = dataAgent([]);
    const spy: ChatAgent = {
      ...agent,
      toolDescriptions: () => agent.toolDescriptions(),
      usesDurableTools: () => false,
      run: async (message, history, options) => {
        seen.push({ message, history });
        return agent.run(message, history, options);
      },
    };
    const server = await start({ agent: spy });
    const history = [
      { role: "user", content: "first" },
      { role: "assistant", content: "answer" },
    ];
    await readEvents(await chat(server, { message: "second", history }));
    expect(seen).toEqual([{ message: "second", history }]);
  });

  it("rejects bad bodies with 400 and a message that says what is wrong", async () => {
    const server = await start({ agent: dataAgent([]), maxHistoryMessages: 2 });
    const notJson = await chat(server, "{ message: oops");
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: { code: string } }).error.code).toBe("INVALID_JSON");

    const cases: [unknown, string][] = [
      [{}, "message"],
      [{ message: "   " }, "message must not be empty"],
      [{ message: 42 }, "message must be a string"],
      [{ message: "hi", history: "nope" }, "history must be an array"],
      [{ message: "hi", history: [{ role: "system", content: "x" }] }, "history[0].role"],
      [
        {
          message: "hi",
          history: [
            { role: "user", content: "a" },
            { role: "assistant", content: "b" },
            { role: "user", content: "c" },
          ],
        },
        "more than 2 messages",
      ],
    ];
    for (const [body, expected] of cases) {
      const response = await chat(server, body);
      expect(response.status).toBe(400);
      const error = ((await response.json()) as { error: { code: string; message: string } }).error;
      expect(error.code).toBe("INVALID_REQUEST");
      expect(error.message).toContain(expected);
    }
  });

  it("reads a JSON body sent with any content type, as `curl -d` sends it", async () => {
    const server = await start({ agent: dataAgent([py(REVENUE_CODE)]) });
    const form = { "content-type": "application/x-www-form-urlencoded" };
    const asForm = await chat(
      server,
      { message: "Which region?" },
      { headers: form },
      "?stream=false",
    );
    expect(asForm.status).toBe(200);
    expect(((await asForm.json()) as { result: { error: unknown } }).result.error).toBeNull();

    const notJson = await chat(server, "message=hi", { headers: form });
    expect(notJson.status).toBe(400);
    const error = ((await notJson.json()) as { error: { code: string; message: string } }).error;
    expect(error.code).toBe("INVALID_JSON");
    expect(error.message).toContain('The body must be JSON: { "message": "..."');
  });

  it("answers 413 for a body over the limit, without running the agent", async () => {
    let agentRuns = 0;
    const agent = dataAgent([]);
    const server = await start({
      agent: {
        ...agent,
        run: async (...a) => {
          agentRuns++;
          return agent.run(...a);
        },
        toolDescriptions: () => [],
        usesDurableTools: () => false,
      },
    });
    const response = await chat(server, { message: "x".repeat(1024 * 1024 + 10) });
    expect(response.status).toBe(413);
    // The rest of the body is never read: the client is told not to reuse the connection.
    expect(response.headers.get("connection")).toBe("close");
    const error = ((await response.json()) as { error: { code: string; message: string } }).error;
    expect(error.code).toBe("BODY_TOO_LARGE");
    expect(error.message).toContain("1048576 bytes");
    expect(agentRuns).toBe(0);
  });

  it("cancels the run when the client disconnects: the tool in flight sees the abort", async () => {
    let started = 0;
    let abortedAt: number | undefined;
    const hang = defineTool({
      name: "slow_lookup",
      description: "Waits until cancelled.",
      parameters: z.object({}),
      execute: (_args, { signal }) =>
        new Promise((_resolve, reject) => {
          started = Date.now();
          signal.addEventListener("abort", () => {
            abortedAt = Date.now();
            reject(new Error("cancelled"));
          });
        }),
    });
    const server = await start({ agent: dataAgent([py("slow_lookup()")], [hang]) });
    const controller = new AbortController();
    const response = await chat(server, { message: "go" }, { signal: controller.signal });
    let sawCall = false;
    try {
      for await (const event of streamEvents(response)) {
        if (event.type === "tool_call") {
          sawCall = true;
          controller.abort();
        }
      }
    } catch {
      // The aborted read rejects.
    }
    expect(sawCall).toBe(true);
    await vi.waitFor(() => expect(abortedAt).toBeDefined(), { ...WAIT, timeout: 15_000 });
    expect(abortedAt! - started).toBeLessThan(10_000);
    // The slot is given back once the run has stopped.
    await expect.poll(() => runs(server), WAIT).toMatchObject({ running: 0 });
  });

  it("reports an agent that throws as a final error event", async () => {
    const server = await start({
      agent: {
        run: async (_m, _h, { onEvent }) => {
          onEvent?.({ type: "generating_code", attempt: 1, maxAttempts: 1 });
          throw new InvalidOptionsError("the durable runner is not reachable");
        },
        toolDescriptions: () => [],
        usesDurableTools: () => true,
      },
    });
    const events = await readEvents(await chat(server, { message: "hi" }));
    expect(events.map((e) => e.type)).toEqual(["generating_code", "error"]);
    expect(events[1]).toEqual({
      type: "error",
      error: { code: "INVALID_OPTIONS", message: "the durable runner is not reachable" },
    });
  });
});

describe("limits on concurrent runs", () => {
  it("queues beyond maxConcurrentRuns, answers 503 beyond maxQueuedRuns, in arrival order", async () => {
    const gates: (() => void)[] = [];
    const order: string[] = [];
    const agent: ChatAgent = {
      run: (message, _history, { onEvent }) =>
        new Promise((resolve) => {
          order.push(message);
          gates.push(() => {
            const result = {
              code: "",
              status: "done" as const,
              value: null,
              summary: message,
              charts: [],
              error: null,
              attempts: 1,
              turns: [],
              toolCalls: [],
              output: "",
              usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
              durationMs: 1,
            };
            onEvent?.({ type: "done", result, attempt: 1, maxAttempts: 1 });
            resolve(result);
          });
        }),
      toolDescriptions: () => [],
      usesDurableTools: () => false,
    };
    const server = await start({ agent, maxConcurrentRuns: 1, maxQueuedRuns: 1 });
    const first = chat(server, { message: "one" });
    await vi.waitFor(() => expect(order).toHaveLength(1), WAIT);
    const second = chat(server, { message: "two" });
    await expect.poll(() => runs(server), WAIT).toMatchObject({ queued: 1 });
    const third = await chat(server, { message: "three" });
    expect(third.status).toBe(503);
    expect(third.headers.get("retry-after")).toBe("5");
    expect(((await third.json()) as { error: { code: string } }).error.code).toBe("BUSY");
    expect(order).toEqual(["one"]);
    gates.shift()!();
    const firstEvents = await readEvents(await first);
    expect(firstEvents.at(-1)?.type).toBe("done");
    await vi.waitFor(() => expect(order).toHaveLength(2), WAIT);
    expect(order).toEqual(["one", "two"]);
    gates.shift()!();
    expect((await readEvents(await second)).at(-1)?.type).toBe("done");
  });
});

describe("a client that leaves while queued", () => {
  it("gives up its place, and its run never starts", async () => {
    const started: string[] = [];
    let finish: (() => void) | undefined;
    const agent: ChatAgent = {
      run: (message) =>
        new Promise((_resolve, reject) => {
          started.push(message);
          finish = () => reject(new Error("stopped"));
        }),
      toolDescriptions: () => [],
      usesDurableTools: () => false,
    };
    const server = await start({ agent, maxConcurrentRuns: 1, maxQueuedRuns: 4 });
    const first = new AbortController();
    const firstResponse = chat(server, { message: "one" }, { signal: first.signal });
    await vi.waitFor(() => expect(started).toHaveLength(1), WAIT);
    const second = new AbortController();
    const secondResponse = chat(server, { message: "two" }, { signal: second.signal }).catch(
      () => undefined,
    );
    await expect.poll(() => runs(server), WAIT).toMatchObject({ queued: 1 });
    second.abort();
    await secondResponse;
    await expect.poll(() => runs(server), WAIT).toMatchObject({ queued: 0 });
    finish?.();
    await (await firstResponse).text();
    await expect.poll(() => runs(server), WAIT).toMatchObject({ running: 0 });
    expect(started).toEqual(["one"]);
  });
});

describe("GET endpoints", () => {
  it("lists the tools with Python signatures, and the nudges", async () => {
    const server = await start({ agent: dataAgent([]), nudges });
    const tools = (await (await fetch(`${server.url}api/tools`)).json()) as {
      tools: { name: string; signature: string; description: string }[];
    };
    expect(tools.tools.map((t) => t.name)).toEqual([
      "list_datasets",
      "fetch_data",
      "group_and_aggregate",
      "create_chart",
    ]);
    expect(tools.tools[1]?.signature).toMatch(/^fetch_data\(dataset: str/);
    expect(tools.tools[1]?.description).toContain("Fetch rows");
    const body = (await (await fetch(`${server.url}api/nudges`)).json()) as { nudges: string[] };
    expect(body.nudges).toEqual(nudges);
  });

  it("serves the page and the browser libraries from the package, not a CDN", async () => {
    const server = await start({ agent: dataAgent([]), title: "Sales <chat>" });
    const page = await fetch(server.url);
    expect(page.headers.get("content-type")).toContain("text/html");
    const html = await page.text();
    expect(html).toContain("<title>Sales &lt;chat&gt;</title>");
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
    for (const [path, marker] of [
      ["assets/vendor/chart.umd.js", "Chart"],
      ["assets/vendor/marked.umd.js", "marked"],
      ["assets/vendor/purify.min.js", "DOMPurify"],
      ["assets/vendor/highlight.js", "registerLanguage('python'"],
      ["assets/app.js", "api/chat"],
      ["assets/chart-frame.js", "new Chart("],
    ] as const) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status, path).toBe(200);
      expect(response.headers.get("content-type"), path).toContain("javascript");
      expect(await response.text(), path).toContain(marker);
    }
    expect((await fetch(`${server.url}assets/..%2F..%2Fpackage.json`)).status).toBe(404);
    expect((await fetch(`${server.url}assets/vendor/fs.js`)).status).toBe(404);
  });
});

describe("auth", () => {
  it("requires the bearer token on /api/* but not on the page or /health", async () => {
    const server = await start({
      agent: dataAgent([py(REVENUE_CODE)]),
      auth: { token: "s3cret-token" },
    });
    const none = await fetch(`${server.url}api/tools`);
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toContain("Bearer");
    const body = (await none.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("UNAUTHORIZED");
    expect(body.error.message).not.toContain("s3cret-token");
    const wrong = await chat(
      server,
      { message: "hi" },
      { headers: { authorization: "Bearer nope" } },
    );
    expect(wrong.status).toBe(401);
    const right = await chat(
      server,
      { message: "hi" },
      { headers: { authorization: "Bearer s3cret-token" } },
    );
    expect(right.status).toBe(200);
    expect((await readEvents(right)).at(-1)?.type).toBe("done");
    expect((await fetch(server.url)).status).toBe(200);
    const health = await fetch(`${server.url}health`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { authRequired: boolean }).authRequired).toBe(true);
  });

  it("uses a custom hook, which denies when it throws", async () => {
    const server = await start({
      agent: dataAgent([]),
      auth: async (request) => {
        const team = request.headers.get("x-team");
        if (team === "boom") throw new Error("hook crashed with internals");
        return team === "data";
      },
    });
    expect((await fetch(`${server.url}api/nudges`, { headers: { "x-team": "data" } })).status).toBe(
      200,
    );
    expect((await fetch(`${server.url}api/nudges`, { headers: { "x-team": "ops" } })).status).toBe(
      401,
    );
    const boom = await fetch(`${server.url}api/nudges`, { headers: { "x-team": "boom" } });
    expect(boom.status).toBe(401);
    expect(await boom.text()).not.toContain("internals");
  });

  it("reads the token from CODEMODE_CHAT_TOKEN when no auth option is given", async () => {
    process.env.CODEMODE_CHAT_TOKEN = "env-token-123";
    try {
      const app = createChatApp({ agent: dataAgent([]) });
      expect((await app.request("/api/nudges")).status).toBe(401);
      const ok = await app.request("/api/nudges", {
        headers: { authorization: "Bearer env-token-123" },
      });
      expect(ok.status).toBe(200);
    } finally {
      delete process.env.CODEMODE_CHAT_TOKEN;
    }
  });

  it("rejects a bad auth option with a typed error", () => {
    expect(() => createChatApp({ agent: dataAgent([]), auth: { token: "" } })).toThrow(
      InvalidOptionsError,
    );
  });
});

describe("no secrets in responses", () => {
  it("/health reports the model setup without the key, and a tool error never echoes the key", async () => {
    const key = "sk-ant-test-0123456789abcdef";
    process.env.ANTHROPIC_API_KEY = key;
    try {
      const leaky = defineTool({
        name: "leaky",
        description: "Fails with a message that contains the API key.",
        parameters: z.object({}),
        execute: () => {
          throw new Error(`upstream rejected key ${process.env.ANTHROPIC_API_KEY}`);
        },
      });
      const server = await start({
        agent: dataAgent([py("leaky()")], [leaky]),
        modelSetup: checkModelSetup("anthropic:claude-haiku-4-5"),
      });
      const healthText = await (await fetch(`${server.url}health`)).text();
      expect(healthText).not.toContain(key);
      const health = JSON.parse(healthText) as { model: string; llm: { ready: boolean } };
      expect(health.model).toBe("anthropic:claude-haiku-4-5");
      expect(health.llm.ready).toBe(true);
      const response = await chat(server, { message: "go" });
      const text = await response.text();
      expect(text).toContain("upstream rejected key [redacted]");
      expect(text).not.toContain(key);
      // The host's record keeps the tool's stack; the client never gets it.
      expect(text).toContain('"error":{"type":"RuntimeError"');
      expect(text).not.toContain('"stack"');
      expect(text).not.toMatch(/\bat .*chat-api\.test\.ts/);
    } finally {
      delete process.env.ANTHROPIC_API_KEY;
    }
  });

  it("without an API key, /health names the variable and /api/chat answers 503 with the fix", async () => {
    const server = await start({
      agent: dataAgent([]),
      modelSetup: checkModelSetup("anthropic:claude-haiku-4-5", {}),
    });
    const health = (await (await fetch(`${server.url}health`)).json()) as {
      llm: { ready: boolean; missingEnvVar: string; notice: string; commands: string[] };
    };
    expect(health.llm.ready).toBe(false);
    expect(health.llm.missingEnvVar).toBe("ANTHROPIC_API_KEY");
    expect(health.llm.commands.join("\n")).toContain("npx codemode chat --demo");
    const response = await chat(server, { message: "hi" });
    expect(response.status).toBe(503);
    const error = ((await response.json()) as { error: { code: string; message: string } }).error;
    expect(error.code).toBe("MODEL_NOT_CONFIGURED");
    expect(error.message).toContain("ANTHROPIC_API_KEY is not set");
  });
});

describe("embedding", () => {
  it("mounts under a prefix in a parent Hono app; the page's relative URLs still work", async () => {
    const { Hono } = await import("hono");
    const { serve } = await import("@hono/node-server");
    const parent = new Hono();
    parent.get("/", (c) => c.text("my product"));
    parent.route("/chat", createChatApp({ agent: dataAgent([py(REVENUE_CODE)]), auth: false }));
    const server = serve({ fetch: parent.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise((r) => server.once("listening", r));
    const { port } = server.address() as { port: number };
    // Opened as /chat (no trailing slash), as a user would type it.
    const base = `http://127.0.0.1:${port}/chat/`;
    try {
      expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe("my product");
      const html = await (await fetch(`http://127.0.0.1:${port}/chat`)).text();
      expect(html).toContain('<base href="chat/" />');
      expect(html).toContain('src="assets/app.js"');
      expect((await fetch(`${base}assets/app.js`)).status).toBe(200);
      const response = await fetch(`${base}api/chat`, {
        method: "POST",
        body: JSON.stringify({ message: "hi" }),
      });
      expect((await readEvents(response)).at(-1)?.type).toBe("done");
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
