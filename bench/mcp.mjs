#!/usr/bin/env node
/**
 * MCP numbers: `npm run build && node bench/mcp.mjs`. Starts the test fixture servers
 * (test/mcp/fixtures) and `codemode mcp`, and prints:
 * - connect: start a stdio server and list its 120 tools (5 pages);
 * - per-call cost of an MCP tool from Python over stdio and Streamable HTTP, against the
 *   same tool defined locally (the difference is the MCP round trip);
 * - parallel_map over an MCP tool (concurrent requests on one session);
 * - run_python round trip through `codemode mcp` (client -> server -> sandbox -> back).
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { closeDefaultSandboxPool, defineTool, execute } from "../dist/index.js";
import { mcpTools } from "../dist/mcp/index.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const FIXTURE = `${ROOT}test/mcp/fixtures/many-tools.mjs`;
const CALLS = 200;
const REPS = 5;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function time(fn) {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}
const rows = [];
const row = (metric, value, unit) => rows.push({ metric, value: Number(value.toFixed(3)), unit });

// Connect + list 120 tools over stdio.
const connects = [];
for (let i = 0; i < REPS; i++) {
  let set;
  connects.push(
    await time(async () => {
      set = await mcpTools({ command: process.execPath, args: [FIXTURE] });
    }),
  );
  await set.close();
}
row("stdio connect + list 120 tools", median(connects), "ms");

const loop = `total = 0\nfor i in range(${CALLS}):\n    total = total + metric_001(i)\ntotal`;
async function perCall(tools) {
  await execute(loop, { tools }); // warm-up
  const runs = [];
  for (let i = 0; i < REPS; i++) {
    runs.push(
      await time(async () => {
        const r = await execute(loop, { tools, limits: { maxToolCalls: CALLS } });
        if (!r.ok) throw new Error(JSON.stringify(r.error));
      }),
    );
  }
  return median(runs) / CALLS;
}

const local = defineTool({
  name: "metric_001",
  parameters: { type: "object", properties: { factor: { type: "number" } }, required: ["factor"] },
  execute: ({ factor }) => factor,
});
const localMs = await perCall([local]);
row("local tool call (baseline)", localMs, "ms/call");

const stdio = await mcpTools({ command: process.execPath, args: [FIXTURE] });
const stdioMs = await perCall(stdio);
row("MCP tool call, stdio", stdioMs, "ms/call");

const pmapRuns = [];
for (let i = 0; i < REPS; i++) {
  pmapRuns.push(
    await time(() => execute(`parallel_map(metric_001, range(100))`, { tools: stdio })),
  );
}
row("parallel_map of 100 MCP calls, stdio", median(pmapRuns), "ms");
await stdio.close();

// Streamable HTTP.
const child = spawn(process.execPath, [FIXTURE, "--http"], {
  stdio: ["ignore", "pipe", "inherit"],
});
const url = await new Promise((resolve) => {
  child.stdout.once("data", (d) => resolve(String(d).trim()));
});
const http = await mcpTools({ url });
row("MCP tool call, Streamable HTTP", await perCall(http), "ms/call");
await http.close();
child.kill();

// codemode mcp over stdio: run_python round trip.
const transport = new StdioClientTransport({
  command: process.execPath,
  args: [`${ROOT}dist/cli/main.js`, "mcp", "--no-ask"],
  stderr: "ignore",
});
const client = new Client({ name: "bench", version: "1" });
row("codemode mcp start + initialize", await time(() => client.connect(transport)), "ms");
await client.callTool({ name: "run_python", arguments: { code: "1 + 1" } });
const rt = [];
for (let i = 0; i < 20; i++) {
  rt.push(await time(() => client.callTool({ name: "run_python", arguments: { code: "1 + 1" } })));
}
row("run_python round trip via codemode mcp", median(rt), "ms");
await client.close();
await closeDefaultSandboxPool();

console.table(rows);
