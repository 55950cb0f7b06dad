/**
 * The chat server under hostile and heavy traffic on loopback, with a real CodeModeAgent
 * (scripted model, real worker pool, real tools): auth on every API endpoint, oversized
 * and malformed bodies, a slow client, concurrent chats, clients that leave mid-stream.
 * The server must stay up with bounded memory and hand the workers out fairly.
 * (The bigger, timed version is `bench/load-chat.mjs`.)
 */
import { createConnection, type Socket } from "node:net";
import { CodeModeAgent, defineTool, SandboxPool } from "codemode";
import {
  type ChatServer,
  type ChatStreamEvent,
  createChatApp,
  startChatServer,
} from "codemode/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memoryAfterGc, sleep, waitForExit, watchUnhandledRejections } from "./watch.js";

const TOKEN = "server-load-token";
const auth = { authorization: `Bearer ${TOKEN}` };
const unhandled = watchUnhandledRejections();
const pool = new SandboxPool({ size: 2 });
let server: ChatServer;
let agent: CodeModeAgent;
let cancelledRuns = 0;

const double = defineTool({
  name: "double",
  parameters: { type: "object", properties: { n: { type: "integer" } }, required: ["n"] },
  execute: async ({ n }, { signal }) => {
    signal.addEventListener("abort", () => {
      cancelledRuns += 1;
    });
    await sleep(Number(n) >= 1000 ? 1500 : 20);
    return Number(n) * 2;
  },
});

beforeAll(async () => {
  await pool.warm();
  agent = new CodeModeAgent({
    tools: [double],
    model: "test:scripted",
    pool,
    // Safe to call concurrently: the answer depends only on the message.
    callLlm: async (_model, _system, messages) => {
      const n = Number(/chat (\d+)/.exec(messages.at(-1)?.content ?? "")?.[1] ?? 0);
      return `\`\`\`python\nr = double(${n})\n{"summary": f"chat ${n}: {r}"}\n\`\`\``;
    },
  });
  server = await startChatServer({ agent, port: 0, auth: { token: TOKEN }, maxQueuedRuns: 100 });
});

afterAll(async () => {
  const pids = pool.pids;
  await server?.close();
  await pool.close();
  unhandled.stop();
  expect(unhandled.reasons).toEqual([]);
  expect(await waitForExit(pids)).toEqual([]);
});

const url = (path: string) => `${server.url}${path}`;
const chat = (n: number, headers: Record<string, string> = auth, extra: RequestInit = {}) =>
  fetch(url("api/chat"), {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ message: `chat ${n}` }),
    ...extra,
  });

async function lastEvent(response: Response): Promise<ChatStreamEvent> {
  const lines = (await response.text()).trim().split("\n");
  return JSON.parse(lines[lines.length - 1]!) as ChatStreamEvent;
}

async function health(): Promise<{ runs: { running: number; queued: number } }> {
  return (await (await fetch(url("health"))).json()) as {
    runs: { running: number; queued: number };
  };
}

describe("chat server under load", () => {
  it("enforces the token on every API endpoint and keeps the public ones public", async () => {
    const attempts: Record<string, string>[] = [
      {},
      { authorization: "Bearer wrong" },
      { authorization: `Bearer ${TOKEN}x` },
      { authorization: TOKEN },
      { authorization: `Basic ${Buffer.from(`u:${TOKEN}`).toString("base64")}` },
    ];
    // Every route the app has, read from the app itself, so a new endpoint is checked too.
    const routes = createChatApp({ agent, auth: { token: TOKEN } })
      .routes.filter((r) => r.method !== "ALL")
      .map((r) => [r.method, r.path.replace(/^\//, "").replace(/:\w+(\{[^}]*\})?/g, "x")] as const);
    const api = routes.filter(([, path]) => path.startsWith("api/"));
    expect(api.length).toBeGreaterThanOrEqual(3);
    const endpoints: (readonly [string, string])[] = [
      ...api,
      ["POST", "api/tools"],
      ["GET", "api/anything-else"],
    ];
    for (const [method, path] of endpoints) {
      for (const headers of attempts) {
        const response = await fetch(url(path), {
          method,
          headers: { "content-type": "application/json", ...headers },
          ...(method === "POST" ? { body: JSON.stringify({ message: "chat 1" }) } : {}),
        });
        expect(response.status, `${method} /${path} ${JSON.stringify(headers)}`).toBe(401);
        await response.body?.cancel();
      }
    }
    // Everything outside /api is public (the page, its assets, /health).
    for (const [method, path] of routes.filter(([, p]) => !p.startsWith("api/"))) {
      const response = await fetch(url(path), { method });
      expect(response.status, `${method} /${path}`).not.toBe(401);
      await response.body?.cancel();
    }
    for (const path of ["", "health"]) {
      const response = await fetch(url(path));
      expect(response.status).toBe(200);
      await response.body?.cancel();
    }
    const tools = await fetch(url("api/tools"), { headers: auth });
    expect(tools.status).toBe(200);
    expect(await tools.json()).toMatchObject({ tools: [{ name: "double" }] });
  });

  it("refuses oversized bodies (declared or streamed) with 413", async () => {
    const big = JSON.stringify({ message: "x".repeat(2 * 1024 * 1024) });
    const declared = await fetch(url("api/chat"), {
      method: "POST",
      headers: { "content-type": "application/json", connection: "close", ...auth },
      body: big,
    });
    expect(declared.status).toBe(413);
    expect(await declared.json()).toMatchObject({ error: { code: "BODY_TOO_LARGE" } });

    const streamed = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 24; i++) controller.enqueue(new Uint8Array(128 * 1024).fill(120));
        controller.close();
      },
    });
    const chunked = await fetch(url("api/chat"), {
      method: "POST",
      headers: { "content-type": "application/json", connection: "close", ...auth },
      body: streamed,
      duplex: "half",
    } as RequestInit);
    expect(chunked.status).toBe(413);
    await chunked.body?.cancel();
  });

  it("answers 40 concurrent malformed requests with 400 and stays up", async () => {
    const bodies = ["", "{", "not json", '{"message": }', "null", "{}", '{"message": 7}'];
    const statuses = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const response = await fetch(url("api/chat"), {
          method: "POST",
          headers: { "content-type": "application/json", ...auth },
          body: bodies[i % bodies.length]!,
        });
        await response.body?.cancel();
        return response.status;
      }),
    );
    expect(new Set(statuses)).toEqual(new Set([400]));
    expect((await health()).runs).toMatchObject({ running: 0, queued: 0 });
  });

  it("serves 30 concurrent chats correctly while a slow client trickles its body", async () => {
    const slow: Socket = createConnection({ port: server.port, host: "127.0.0.1" });
    slow.on("error", () => undefined);
    slow.write(
      `POST /api/chat HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\n` +
        'Content-Type: application/json\r\nContent-Length: 10000\r\n\r\n{"message": "',
    );
    const drip = setInterval(() => slow.write("z"), 200);
    const before = await memoryAfterGc();
    try {
      const events = await Promise.all(
        Array.from({ length: 30 }, async (_, i) => {
          const response = await chat(i);
          expect(response.status).toBe(200);
          return lastEvent(response);
        }),
      );
      events.forEach((event, i) => {
        expect(event).toMatchObject({ type: "done", result: { summary: `chat ${i}: ${i * 2}` } });
      });
      expect(pool.pids.length).toBeLessThanOrEqual(pool.size);
      expect(pool.stats.crashes).toBe(0);
    } finally {
      clearInterval(drip);
      slow.destroy();
    }
    const after = await memoryAfterGc();
    // Bounded: 30 chats must not leave tens of MB of heap behind.
    expect(after.heapUsedMB - before.heapUsedMB).toBeLessThan(30);
    expect((await health()).runs).toMatchObject({ running: 0, queued: 0 });
  });

  it("cancels the runs of clients that leave mid-stream and frees their slots", async () => {
    const cancelledBefore = cancelledRuns;
    await Promise.all(
      Array.from({ length: 6 }, async (_, i) => {
        const controller = new AbortController();
        const response = await chat(1000 + i, auth, { signal: controller.signal });
        // Leave once the program is inside the (slow) tool call.
        const reader = response.body!.getReader();
        const decoder = new TextDecoder();
        let seen = "";
        while (!seen.includes('"tool_call"')) {
          const { value, done } = await reader.read();
          if (done) break;
          seen += decoder.decode(value, { stream: true });
        }
        controller.abort();
      }),
    );
    await expect
      .poll(async () => (await health()).runs, { timeout: 15_000, interval: 50 })
      .toMatchObject({ running: 0, queued: 0 });
    // Runs that reached the slow tool were told to stop.
    expect(cancelledRuns).toBeGreaterThan(cancelledBefore);
    const next = await chat(5);
    expect(await lastEvent(next)).toMatchObject({ result: { summary: "chat 5: 10" } });
  });
});
