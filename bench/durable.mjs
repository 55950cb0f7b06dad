#!/usr/bin/env node
/**
 * The cost of durability: how much a tool call costs when it is a journaled Restate step
 * (a durable run through restate-server) against the same call in an in-memory `execute`.
 *
 *   npm run build && node bench/durable.mjs [--calls 50] [--reps 5]
 *
 * Starts its own restate-server (random ports, temporary directory) and an in-process
 * worker, runs the same program with N sequential tool calls and with none, and reports
 * (time(N) - time(0)) / N for both, so fixed costs (HTTP, LLM step, sandbox start) cancel.
 * The same for a parallel_map of N calls.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { arch, platform, tmpdir } from "node:os";
import { join } from "node:path";

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const CALLS = option("calls", 50);
const REPS = option("reps", 5);

const { execute, defineTool, closeDefaultSandboxPool } = await import("codemode");
const { serveDurable, createDurableClient } = await import("codemode/durable");

const step = defineTool({
  name: "step",
  description: "Return i * 2.",
  parameters: { type: "object", properties: { i: { type: "integer" } }, required: ["i"] },
  execute: ({ i }) => i * 2,
});
const programs = {
  sequential: (n) => `total = 0\nfor i in range(${n}):\n    total = total + step(i)\ntotal`,
  parallel: (n) => `sum(parallel_map(step, range(${n})))`,
};

// --- restate-server
const require = createRequire(import.meta.url);
const binary = require.resolve(
  `@restatedev/restate-server-${platform()}-${arch()}/bin/restate-server`,
);
const baseDir = mkdtempSync(join(tmpdir(), "codemode-bench-restate-"));
const [ingressPort, adminPort, nodePort] = [await freePort(), await freePort(), await freePort()];
const server = spawn(binary, ["--base-dir", baseDir, "--no-logo", "--listen-mode", "tcp"], {
  env: {
    ...process.env,
    RESTATE_INGRESS__BIND_ADDRESS: `127.0.0.1:${ingressPort}`,
    RESTATE_ADMIN__BIND_ADDRESS: `127.0.0.1:${adminPort}`,
    RESTATE_BIND_ADDRESS: `127.0.0.1:${nodePort}`,
    RESTATE_DISABLE_TELEMETRY: "true",
    RESTATE_LOG_FILTER: "warn",
  },
  stdio: "ignore",
});
const stopServer = () => {
  if (server.exitCode === null) server.kill("SIGKILL");
  rmSync(baseDir, { recursive: true, force: true });
};
process.on("exit", stopServer);
const ingressUrl = `http://127.0.0.1:${ingressPort}`;
const adminUrl = `http://127.0.0.1:${adminPort}`;
await waitFor(
  async () =>
    (await fetch(`${adminUrl}/health`)).ok && (await fetch(`${ingressUrl}/restate/health`)).ok,
);

// --- the worker: the scripted model answers with the program named in the message.
const worker = await serveDurable({
  port: 0,
  tools: [step],
  callLlm: async (_model, _system, messages) => {
    const [kind, n] = messages.at(-1).content.split(" ");
    return `\`\`\`python\n${programs[kind](Number(n))}\n\`\`\``;
  },
  typeCheck: false,
  register: adminUrl,
});
const client = createDurableClient({ ingressUrl });

let runs = 0;
async function durableMs(kind, n) {
  const t0 = performance.now();
  const result = await client.run(`${kind} ${n}`, [], { runId: `bench-${process.pid}-${runs++}` });
  const ms = performance.now() - t0;
  if (result.error) throw new Error(result.error);
  return ms;
}
async function memoryMs(kind, n) {
  const t0 = performance.now();
  const result = await execute(programs[kind](n), { tools: [step] });
  const ms = performance.now() - t0;
  if (!result.ok) throw new Error(result.error.message);
  return ms;
}
async function perCall(measure, kind) {
  for (let i = 0; i < 2; i++) await measure(kind, CALLS); // warm-up
  const full = [];
  const empty = [];
  for (let i = 0; i < REPS; i++) {
    full.push(await measure(kind, CALLS));
    empty.push(await measure(kind, 0));
  }
  return { perCallMs: (median(full) - median(empty)) / CALLS, fixedMs: median(empty) };
}

const rows = [];
for (const kind of ["sequential", "parallel"]) {
  const memory = await perCall(memoryMs, kind);
  const durable = await perCall(durableMs, kind);
  rows.push({ kind, memory, durable });
}

console.log(
  `\nDurable step overhead (${CALLS} tool calls per run, median of ${REPS}; ${platform()} ${arch()})\n`,
);
console.log(
  "program     in-memory/call  durable/call  overhead/step  ratio   durable run fixed cost",
);
for (const { kind, memory, durable } of rows) {
  const overhead = durable.perCallMs - memory.perCallMs;
  console.log(
    `${kind.padEnd(11)} ${fmt(memory.perCallMs).padStart(11)} ms ${fmt(durable.perCallMs).padStart(9)} ms ${fmt(overhead).padStart(10)} ms  ${`${(durable.perCallMs / memory.perCallMs).toFixed(0)}x`.padStart(5)}   ${fmt(durable.fixedMs)} ms (vs ${fmt(memory.fixedMs)} ms)`,
  );
}
console.log(
  "\nA durable step = a Restate `ctx.run` whose result is appended to the journal (and acknowledged)",
);
console.log("before the program continues; the in-memory call is the same tool through `execute`.");

await worker.close();
await closeDefaultSandboxPool();
stopServer();
process.exit(0);

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
function fmt(ms) {
  return ms >= 10 ? ms.toFixed(1) : ms.toFixed(3);
}
async function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}
async function waitFor(check, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {}
    if (Date.now() > deadline) throw new Error("restate-server did not become ready");
    await new Promise((r) => setTimeout(r, 100));
  }
}
