#!/usr/bin/env node
/**
 * Issue 19's hardening, measured: `npm run build && node bench/seams.mjs`.
 *
 * - `describe_tool(name)` / `search_tools(query)` with 300 tools: the host's time per call
 *   (the tool's own work, on the event loop) for names and queries of 10 characters to
 *   1 MB, median of 5 calls. Target: a few milliseconds at most for any argument.
 */
const { defineTool } = await import("codemode");
const { withToolDiscovery } = await import("../dist/tools/discovery.js");
const { normalizeTools } = await import("../dist/tools/tool-set.js");

const tools = normalizeTools(
  Array.from({ length: 300 }, (_, i) =>
    defineTool({
      name: `service_${i}_fetch_record`,
      description: `Fetches record kind ${i} from service ${i}.`,
      parameters: { type: "object", properties: { id: { type: "string" } }, required: ["id"] },
      execute: () => "ok",
    }),
  ),
);
const all = withToolDiscovery(tools);
const describe = all.find((t) => t.name === "describe_tool");
const search = all.find((t) => t.name === "search_tools");
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timeCall(tool, args) {
  const times = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    try {
      await tool.execute(args, { signal: new AbortController().signal });
    } catch {
      // the ValueError the program gets
    }
    times.push(performance.now() - t0);
  }
  return median(times);
}

console.log("| call | argument | host time per call (median of 5) |");
console.log("| --- | --- | --- |");
for (const size of [10, 1000, 300_000, 1_000_000]) {
  const ms = await timeCall(describe, { name: "x".repeat(size) });
  console.log(`| describe_tool | ${size} chars | ${ms.toFixed(2)} ms |`);
}
for (const size of [10, 1000, 1_000_000]) {
  const ms = await timeCall(search, { query: "A".repeat(size) });
  console.log(`| search_tools | ${size} chars ("AAA…") | ${ms.toFixed(2)} ms |`);
}
