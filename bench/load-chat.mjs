#!/usr/bin/env node
/**
 * A bounded, self-stopping load test of the chat server on loopback.
 *
 *   npm run build && node bench/load-chat.mjs [--chats 100] [--deadline-s 120] [--slow-hold-s 0]
 *
 * Starts `startChatServer` with a bearer token and a real CodeModeAgent (scripted model,
 * real sandbox worker pool, real tools), then throws at it: oversized bodies (declared and
 * chunked), malformed JSON, invalid requests, requests without or with a wrong token on every
 * API endpoint, slow clients that trickle headers or a body, clients that disconnect
 * mid-stream, and N concurrent chats. Prints max RSS (host and workers), latency
 * percentiles, responses by status, and how evenly the worker processes shared the work.
 * Exits 1 when an invariant breaks (a crash, an unexpected status, auth not enforced,
 * memory past its budget, leftover runs or workers) or the deadline passes.
 */
import { readFileSync } from "node:fs";
import { createConnection } from "node:net";
import { CodeModeAgent, defineTool, SandboxPool } from "../dist/index.js";
import { startChatServer } from "../dist/server/index.js";

const args = new Map();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i], process.argv[i + 1]);
const CHATS = Number(args.get("--chats") ?? 100);
const DEADLINE_S = Number(args.get("--deadline-s") ?? 120);
const RSS_BUDGET_MB = Number(args.get("--rss-budget-mb") ?? 1024);
// How long to keep the slow clients connected at the end, to see the server drop them.
const SLOW_HOLD_S = Number(args.get("--slow-hold-s") ?? 0);
const TOKEN = "load-test-token";
const POOL_SIZE = 2;

// Self-stopping: whatever happens, the process ends by the deadline.
const deadline = setTimeout(() => {
  console.error(`load-chat: deadline of ${DEADLINE_S} s passed; stopping.`);
  process.exit(1);
}, DEADLINE_S * 1000);
deadline.unref();

const failures = [];
const observations = [];
const check = (ok, what) => {
  if (!ok) failures.push(what);
};

// ---- the server under test ---------------------------------------------------------------

const work = defineTool({
  name: "work",
  description: "Pretends to call a service: waits a little, returns n * 2.",
  parameters: {
    type: "object",
    properties: { n: { type: "integer" } },
    required: ["n"],
  },
  execute: async ({ n }) => {
    await new Promise((resolve) => setTimeout(resolve, 20 + (Number(n) % 5) * 10));
    return Number(n) * 2;
  },
});

/** A model that answers every chat with a program; safe to call concurrently. */
async function scriptedModel(_model, _system, messages) {
  const last = messages[messages.length - 1]?.content ?? "";
  const n = Number(/chat (\d+)/.exec(last)?.[1] ?? 0);
  const code = [
    "total = 0",
    "for k in range(20000):",
    "  total += k % 7",
    `r = work(${n})`,
    `{"summary": f"chat ${n}: {r} ({total})"}`,
  ].join("\n");
  return { text: `\`\`\`python\n${code}\n\`\`\``, usage: { inputTokens: 50, outputTokens: 30 } };
}

const pool = new SandboxPool({ size: POOL_SIZE });
await pool.warm();
const agent = new CodeModeAgent({
  tools: [work],
  callLlm: scriptedModel,
  model: "test:scripted",
  pool,
});
const server = await startChatServer({
  agent,
  port: 0,
  auth: { token: TOKEN },
  maxQueuedRuns: Math.max(64, CHATS + 20),
});
const base = server.url;
const { port } = server;
const auth = { authorization: `Bearer ${TOKEN}` };

// ---- measurements --------------------------------------------------------------------------

const mb = (bytes) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const rssStart = process.memoryUsage().rss;
let maxRss = rssStart;
let maxWorkerRss = 0;
let maxWorkers = 0;

function procStatus(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime, fields 14 and 15 of stat (12 and 13 after the command name).
    const cpuTicks = Number(fields[11]) + Number(fields[12]);
    return { rss, cpuTicks };
  } catch {
    return undefined;
  }
}

const sampler = setInterval(() => {
  maxRss = Math.max(maxRss, process.memoryUsage().rss);
  const pids = pool.pids;
  maxWorkers = Math.max(maxWorkers, pids.length);
  for (const pid of pids) {
    const status = procStatus(pid);
    if (!status) continue;
    maxWorkerRss = Math.max(maxWorkerRss, status.rss);
  }
}, 50);

const phases = [];
function phase(name) {
  const record = { name, requests: 0, byStatus: {}, latenciesMs: [], errors: 0 };
  phases.push(record);
  return record;
}
function count(record, status, ms) {
  record.requests += 1;
  record.byStatus[status] = (record.byStatus[status] ?? 0) + 1;
  if (ms !== undefined) record.latenciesMs.push(ms);
}

async function request(record, path, init = {}) {
  const t0 = performance.now();
  try {
    const response = await fetch(`${base}${path.replace(/^\//, "")}`, init);
    const text = await response.text();
    count(record, response.status, performance.now() - t0);
    return { status: response.status, text };
  } catch (error) {
    count(record, "network-error", performance.now() - t0);
    record.errors += 1;
    const cause = error?.cause?.code ?? error?.cause?.message ?? "";
    if (process.env.LOAD_DEBUG) console.error(path, String(error), cause);
    return { status: 0, text: `${error} ${cause}` };
  }
}

const chatBody = (i) => JSON.stringify({ message: `chat ${i}`, history: [] });
const post = (body, headers = {}) => ({
  method: "POST",
  headers: { "content-type": "application/json", ...auth, ...headers },
  body,
});
// Requests the server refuses early get their own connection: a server may close a
// connection after an error answer, and a reused keep-alive socket would then fail on
// the client's side for reasons that are not the server's.
const once = { connection: "close" };

// ---- phases ---------------------------------------------------------------------------------

// 1. Auth on every endpoint that needs it; the public ones stay public.
{
  const p = phase("auth");
  const endpoints = [
    ["GET", "api/tools"],
    ["GET", "api/nudges"],
    ["POST", "api/chat"],
    ["GET", "api/does-not-exist"],
  ];
  for (const [method, path] of endpoints) {
    for (const headers of [
      {},
      { authorization: "Bearer wrong" },
      { authorization: TOKEN },
      { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString("base64")}` },
    ]) {
      const init = { method, headers: { "content-type": "application/json", ...headers } };
      if (method === "POST") init.body = chatBody(0);
      const { status } = await request(p, path, init);
      check(
        status === 401,
        `${method} /${path} with ${JSON.stringify(headers)} answered ${status}, not 401`,
      );
    }
  }
  for (const path of ["health", ""]) {
    const { status } = await request(p, path);
    check(status === 200, `GET /${path} answered ${status}, not 200`);
  }
  const { status } = await request(p, "api/tools", { headers: auth });
  check(status === 200, `GET /api/tools with the token answered ${status}`);
}

// 2. Oversized bodies, declared and chunked.
{
  const p = phase("oversized");
  const big = `{"message": "${"x".repeat(2 * 1024 * 1024)}"}`;
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      const { status } = await request(p, "api/chat", post(big, once));
      check(status === 413, `2 MB body answered ${status}, not 413`);
    }),
  );
  await Promise.all(
    Array.from({ length: 5 }, async () => {
      // A streamed body has no content-length: the limit must hold while reading.
      const chunks = new ReadableStream({
        start(controller) {
          for (let i = 0; i < 40; i++)
            controller.enqueue(new TextEncoder().encode("x".repeat(128 * 1024)));
          controller.close();
        },
      });
      const { status } = await request(p, "api/chat", { ...post(chunks, once), duplex: "half" });
      check(status === 413, `5 MB chunked body answered ${status}, not 413`);
    }),
  );
}

// 3. Malformed JSON and invalid requests.
{
  const p = phase("malformed");
  const bodies = [
    "",
    "{",
    "not json",
    "[1, 2",
    '{"message": }',
    "\u0000\u0001\u0002",
    "{}",
    '{"message": 42}',
    '{"message": "hi", "history": "nope"}',
    '{"message": "hi", "history": [{"role": "system", "content": "x"}]}',
    `{"message": "${"y".repeat(30_000)}"}`,
    "null",
    '"just a string"',
  ];
  const results = await Promise.all(
    Array.from({ length: 60 }, (_, i) => request(p, "api/chat", post(bodies[i % bodies.length]))),
  );
  for (const { status } of results)
    check(status === 400, `malformed body answered ${status}, not 400`);
}

// 4. Slow clients: they trickle headers or a body and hold their connection.
const slowSockets = [];
const slowClosedByServer = { headers: 0, body: 0 };
function slowClient(kind) {
  const socket = createConnection({ port, host: "127.0.0.1" });
  socket.on("error", () => undefined);
  socket.on("close", () => {
    if (!socket.closedByUs) slowClosedByServer[kind] += 1;
  });
  const head =
    kind === "headers"
      ? "POST /api/chat HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      : `POST /api/chat HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"message": "`;
  socket.write(head);
  const drip = setInterval(() => {
    if (!socket.destroyed) socket.write(kind === "headers" ? "X-Slow: 1\r\n" : "z");
  }, 500);
  slowSockets.push({ socket, drip });
}
for (let i = 0; i < 25; i++) slowClient("headers");
for (let i = 0; i < 25; i++) slowClient("body");

// 5. N concurrent chats while the slow clients hang on; a third read a single JSON answer.
const burst = phase(`${CHATS} concurrent chats`);
let maxRunning = 0;
let maxQueued = 0;
const healthPoll = setInterval(async () => {
  try {
    const health = await (await fetch(`${base}health`)).json();
    maxRunning = Math.max(maxRunning, health.runs.running);
    maxQueued = Math.max(maxQueued, health.runs.queued);
  } catch {
    // Counted by the chats themselves if the server is gone.
  }
}, 100);
const cpuAt = () => new Map(pool.pids.map((pid) => [pid, procStatus(pid)?.cpuTicks ?? 0]));
const cpuBefore = cpuAt();
const burstStart = performance.now();
const finishedAt = new Array(CHATS);
const answers = await Promise.all(
  Array.from({ length: CHATS }, async (_, i) => {
    const streaming = i % 3 !== 0;
    const { status, text } = await request(
      burst,
      streaming ? "api/chat" : "api/chat?stream=false",
      post(chatBody(i)),
    );
    finishedAt[i] = performance.now();
    if (status !== 200) return { i, ok: false, status };
    const result = streaming
      ? JSON.parse(text.trim().split("\n").pop()).result
      : JSON.parse(text).result;
    return {
      i,
      ok: result?.summary === `chat ${i}: ${i * 2} (59997)`,
      status,
      summary: result?.summary,
    };
  }),
);
const burstMs = performance.now() - burstStart;
// Worker fairness: CPU each worker spent on the burst (workers alive through all of it).
const cpuAfter = cpuAt();
const cpuByWorker = [...cpuAfter]
  .filter(([pid]) => cpuBefore.has(pid))
  .map(([pid, ticks]) => ticks - (cpuBefore.get(pid) ?? 0));
clearInterval(healthPoll);
const wrong = answers.filter((a) => !a.ok);
check(
  wrong.length === 0,
  `${wrong.length} chats failed, e.g. ${JSON.stringify(wrong.slice(0, 3))}`,
);
check(maxWorkers <= POOL_SIZE, `the pool ran ${maxWorkers} workers at once (size ${POOL_SIZE})`);

// 6. Clients that leave mid-stream: their runs must be cancelled and their slots freed.
{
  const p = phase("disconnect mid-stream");
  await Promise.all(
    Array.from({ length: 20 }, async (_, i) => {
      const controller = new AbortController();
      const t0 = performance.now();
      try {
        const response = await fetch(`${base}api/chat`, {
          ...post(chatBody(1000 + i)),
          signal: controller.signal,
        });
        const reader = response.body.getReader();
        await reader.read();
        controller.abort();
        count(p, "aborted-after-first-chunk", performance.now() - t0);
      } catch {
        count(p, "aborted-before-answer", performance.now() - t0);
      }
    }),
  );
  let health;
  for (let i = 0; i < 100; i++) {
    health = await (await fetch(`${base}health`)).json();
    if (health.runs.running === 0 && health.runs.queued === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  check(
    health.runs.running === 0 && health.runs.queued === 0,
    `runs left after disconnects: ${JSON.stringify(health.runs)}`,
  );
}

// 7. Keep-alive after a 413 (last: the connections it breaks stay in the client's pool): the server closes a connection whose body it did not read;
// unless it says so (`connection: close`), a client reusing that connection fails.
{
  const p = phase("keep-alive after 413");
  const big = `{"message": "${"x".repeat(2 * 1024 * 1024)}"}`;
  await Promise.all(Array.from({ length: 10 }, () => request(p, "api/chat", post(big))));
  const followUps = await Promise.all(
    Array.from({ length: 30 }, () => request(p, "api/chat", post("{"))),
  );
  const broken = followUps.filter((r) => r.status === 0).length;
  if (broken > 0) {
    observations.push(
      `${broken} of 30 requests reusing keep-alive connections after a 413 failed on the client (UND_ERR_SOCKET): the 413 answer should carry "connection: close"`,
    );
  }
}

if (SLOW_HOLD_S > 0) await new Promise((resolve) => setTimeout(resolve, SLOW_HOLD_S * 1000));

// ---- wrap up --------------------------------------------------------------------------------

const slowStillOpen = slowSockets.filter((s) => !s.socket.destroyed).length;
for (const { socket, drip } of slowSockets) {
  clearInterval(drip);
  socket.closedByUs = true;
  socket.destroy();
}
clearInterval(sampler);
const cpuTotal = cpuByWorker.reduce((a, b) => a + b, 0);
const jain =
  cpuByWorker.length === 0
    ? 1
    : cpuTotal ** 2 / (cpuByWorker.length * cpuByWorker.reduce((a, b) => a + b * b, 0) || 1);
// FIFO fairness: of all pairs of chats sent in order i < j, the share that finished in order.
let inOrder = 0;
let pairs = 0;
for (let i = 0; i < CHATS; i++) {
  for (let j = i + 1; j < CHATS; j++) {
    pairs += 1;
    if (finishedAt[i] <= finishedAt[j]) inOrder += 1;
  }
}
const livePids = pool.pids;
const poolStats = { ...pool.stats };
await server.close();
await pool.close();
const leftover = livePids.filter((pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
});
check(leftover.length === 0, `worker processes still alive after close: ${leftover.join(", ")}`);
check(mb(maxRss) < RSS_BUDGET_MB, `host RSS reached ${mb(maxRss)} MB (budget ${RSS_BUDGET_MB} MB)`);

const percentile = (values, p) => {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]);
};
const summary = {
  chats: CHATS,
  burstSeconds: Math.round(burstMs / 100) / 10,
  chatsPerSecond: Math.round((CHATS / burstMs) * 10_000) / 10,
  rssMB: { start: mb(rssStart), max: mb(maxRss) },
  maxWorkerRssMB: mb(maxWorkerRss),
  server: { maxRunning, maxQueued },
  pool: { size: POOL_SIZE, maxWorkersSeen: maxWorkers, ...poolStats },
  fairness: {
    workerCpuTicks: cpuByWorker,
    jainIndex: Math.round(jain * 1000) / 1000,
    chatsFinishedInOrder: Math.round((inOrder / Math.max(1, pairs)) * 1000) / 1000,
  },
  slowClients: {
    opened: slowSockets.length,
    stillOpenAtEnd: slowStillOpen,
    closedByServer: slowClosedByServer,
  },
  phases: phases.map((p) => ({
    name: p.name,
    requests: p.requests,
    byStatus: p.byStatus,
    p50ms: percentile(p.latenciesMs, 50),
    p99ms: percentile(p.latenciesMs, 99),
    maxMs: percentile(p.latenciesMs, 100),
  })),
  observations,
  failures,
};
console.log(JSON.stringify(summary, null, 2));
console.log(
  `load-chat: ${failures.length === 0 ? "OK" : "FAILED"} — ${CHATS} chats in ${summary.burstSeconds} s ` +
    `(p50 ${summary.phases.find((p) => p.name === burst.name).p50ms} ms, p99 ${summary.phases.find((p) => p.name === burst.name).p99ms} ms), ` +
    `max RSS ${summary.rssMB.max} MB host / ${summary.maxWorkerRssMB} MB per worker, worker CPU fairness ${summary.fairness.jainIndex}`,
);
process.exit(failures.length === 0 ? 0 : 1);
