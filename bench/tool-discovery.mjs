#!/usr/bin/env node
/**
 * Large tool sets: `npm run build && node bench/tool-discovery.mjs [--json]`.
 *
 * - Prompt size of the tool listing for 20, 100 and 500 tools of a realistic catalogue
 *   (test/mcp/fixtures/catalog-tools.mjs: ten services, list/get/create/update/delete/search
 *   per entity, parameters with descriptions, one result shape per entity), in full (every
 *   signature, docstring and TypedDict) and compact (one line per tool plus the note on
 *   search_tools / describe_tool), as the agent's prompt puts them: bytes and a token
 *   estimate (UTF-8 bytes / 4, the count `toolListingBudget` uses). Target: compact ≤ 15%
 *   of full at 500 tools.
 * - Search latency at 500 tools: one `search_tools` call's host work (the ranking and the
 *   result dicts), median over 2 000 queries after a warm-up, and the one-time cost of
 *   building the index. Target < 1 ms. Also the whole call from Python through
 *   `execute()` in-process, against a no-op tool's call in the same program shape.
 */
const { defineTool, estimateTokens, execute } = await import("codemode");
const { toolListingSection, COMPACT_LISTING_NOTE } = await import(
  "../dist/tools/discovery/listing.js"
);
const { withToolDiscovery } = await import("../dist/tools/discovery/discovery-tools.js");
const { ToolIndex } = await import("../dist/tools/discovery/search-index.js");
const { normalizeTools } = await import("../dist/tools/define/tool-set.js");
const { catalogTools } = await import("../test/mcp/fixtures/catalog-tools.mjs");

const json = process.argv.includes("--json");
const toolsOf = (n) =>
  normalizeTools(catalogTools(n).map((t) => defineTool({ ...t, execute: () => ({ ok: true }) })));
const bytes = (text) => Buffer.byteLength(text);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const sizes = [20, 100, 500].map((n) => {
  const tools = toolsOf(n);
  const full = toolListingSection(tools, "full");
  const compact = toolListingSection(tools, "compact");
  return {
    tools: n,
    fullBytes: bytes(full),
    fullTokens: estimateTokens(full),
    compactBytes: bytes(compact),
    compactTokens: estimateTokens(compact),
    ratio: bytes(compact) / bytes(full),
  };
});

// Search: the host side of one call, as the search_tools tool runs it.
const tools500 = toolsOf(500);
const t0 = performance.now();
new ToolIndex(tools500);
const indexMs = performance.now() - t0;
const search = withToolDiscovery(tools500).find((t) => t.name === "search_tools");
const QUERIES = [
  "create a refund in billing",
  "list open pull requests",
  "delete calendar event",
  "search tickets by words",
  "update employee department",
  "get shipment tracking events",
  "alert incident on call",
  "dashboard report metric",
];
const context = { signal: new AbortController().signal, callSeq: 1 };
for (let i = 0; i < 500; i++)
  search.execute({ query: QUERIES[i % QUERIES.length], limit: 10 }, context);
const searchUs = [];
for (let i = 0; i < 2000; i++) {
  const s = performance.now();
  search.execute({ query: QUERIES[i % QUERIES.length], limit: 10 }, context);
  searchUs.push((performance.now() - s) * 1000);
}

// From Python: 50 searches vs 50 calls of a no-op tool, in-process.
const noop = defineTool({
  name: "noop",
  inputSchema: { type: "object", properties: { query: { type: "string" } } },
  execute: () => [],
});
const withNoop = [...tools500, noop];
const loop = (fn) => `for i in range(50):\n    ${fn}("create a refund in billing")\nNone`;
const timed = async (code) => {
  const runs = [];
  for (let i = 0; i < 15; i++) {
    const s = performance.now();
    const r = await execute(code, {
      tools: withNoop,
      toolDiscovery: true,
      isolation: "in-process",
    });
    if (!r.ok) throw new Error(r.error.message);
    runs.push(performance.now() - s);
  }
  return median(runs);
};
await timed(loop("search_tools"));
const pythonSearchUs = ((await timed(loop("search_tools"))) - (await timed(loop("noop")))) * 20; // /50 calls, in µs

const result = {
  sizes,
  compactNoteBytes: bytes(COMPACT_LISTING_NOTE),
  search: {
    tools: 500,
    indexBuildMs: indexMs,
    medianUs: median(searchUs),
    p99Us: [...searchUs].sort((a, b) => a - b)[Math.floor(searchUs.length * 0.99)],
    fromPythonExtraUsPerCall: pythonSearchUs,
  },
};

if (json) {
  console.log(JSON.stringify(result, null, 2));
} else {
  const pct = (x) => `${(x * 100).toFixed(1)}%`;
  const n = (x) => x.toLocaleString("en-US");
  console.log(
    "| tools | full: bytes | full: tokens | compact: bytes | compact: tokens | compact / full |",
  );
  console.log("| ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const s of sizes) {
    console.log(
      `| ${s.tools} | ${n(s.fullBytes)} | ${n(s.fullTokens)} | ${n(s.compactBytes)} | ${n(s.compactTokens)} | ${pct(s.ratio)} |`,
    );
  }
  const at500 = sizes.at(-1);
  console.log(
    `\ncompact at 500 tools: ${pct(at500.ratio)} of full (target ≤ 15%: ${at500.ratio <= 0.15 ? "PASS" : "MISS"}); the compact note is ${result.compactNoteBytes} bytes`,
  );
  const { search: s } = result;
  console.log(
    `search_tools over 500 tools: median ${s.medianUs.toFixed(1)} µs, p99 ${s.p99Us.toFixed(1)} µs (target < 1 ms: ${s.medianUs < 1000 ? "PASS" : "MISS"}); index built once in ${s.indexBuildMs.toFixed(1)} ms`,
  );
  console.log(
    `from Python (in-process), a search_tools call costs ${s.fromPythonExtraUsPerCall.toFixed(0)} µs more than a no-op tool's call`,
  );
}
