#!/usr/bin/env node
/**
 * OpenAPI documents as tools: `npm run build && node bench/openapi.mjs [--json]`.
 *
 * - Reading: `openApiTools()` on the generated 300-operation document
 *   (test/openapi/fixtures/generated-api.mjs) given as an object, as a JSON file and as a
 *   YAML file, and on the Petstore 3.0 YAML fixture: median of 15 reads each.
 * - Listing: the 300 tools' listing in full and compact, as the agent's prompt puts them
 *   (bytes and tokens, UTF-8 bytes / 4).
 * - Calls: one GET per call against a loopback server from a program of 200 calls
 *   (in-process), through an OpenAPI tool, against a `defineTool` that calls `fetch`
 *   itself (the baseline): median per call over 5 programs after a warm-up.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";

const { defineTool, estimateTokens, execute } = await import("codemode");
const { openApiTools } = await import("codemode/openapi");
const { toolListingSection } = await import("../dist/tools/discovery/listing.js");
const { generatedDocument } = await import("../test/openapi/fixtures/generated-api.mjs");

const json = process.argv.includes("--json");
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const quiet = { onWarning: () => {} };

const server = createServer((req, res) => {
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify({ id: (req.url ?? "").split("/").pop(), name: "thing" }));
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const baseUrl = `http://127.0.0.1:${server.address().port}`;

const document = generatedDocument(baseUrl);
const dir = mkdtempSync(join(tmpdir(), "codemode-bench-openapi-"));
const jsonFile = join(dir, "api.json");
const yamlFile = join(dir, "api.yaml");
writeFileSync(jsonFile, JSON.stringify(document));
writeFileSync(yamlFile, stringify(document));
const petstore = new URL("../test/openapi/fixtures/petstore-3.0.yaml", import.meta.url).pathname;

async function timeRead(source, options = {}) {
  await openApiTools(source, { ...quiet, ...options }); // warm-up
  const times = [];
  let tools;
  for (let i = 0; i < 15; i++) {
    const t0 = performance.now();
    tools = await openApiTools(source, { ...quiet, ...options });
    times.push(performance.now() - t0);
  }
  return { operations: tools.length, ms: median(times) };
}

const reads = {
  object: await timeRead(document),
  jsonFile: await timeRead(jsonFile),
  yamlFile: await timeRead(yamlFile),
  petstoreYaml: await timeRead(petstore, { baseUrl }),
};

const tools = await openApiTools(document, quiet);
const full = toolListingSection(tools, "full");
const compact = toolListingSection(tools, "compact");
const listing = {
  tools: tools.length,
  fullBytes: Buffer.byteLength(full),
  fullTokens: estimateTokens(full),
  compactBytes: Buffer.byteLength(compact),
  compactTokens: estimateTokens(compact),
};

const CALLS = 200;
const program = `for i in range(${CALLS}):\n    get_shipment(shipmentId=str(i))\n"done"`;
const direct = defineTool({
  name: "get_shipment",
  inputSchema: {
    type: "object",
    properties: { shipmentId: { type: "string" } },
    required: ["shipmentId"],
  },
  execute: async ({ shipmentId }, { signal }) =>
    (await fetch(`${baseUrl}/shipments/${encodeURIComponent(shipmentId)}`, { signal })).json(),
});
const viaOpenApi = tools.filter((t) => t.name === "get_shipment");
async function perCall(set) {
  const limits = { maxToolCalls: CALLS + 10, timeoutMs: 120_000 };
  await execute(program, { tools: set, isolation: "in-process", limits });
  const times = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const result = await execute(program, { tools: set, isolation: "in-process", limits });
    if (!result.ok) throw new Error(JSON.stringify(result.error));
    times.push((performance.now() - t0) / CALLS);
  }
  return median(times);
}
// fetch's connection pool and V8 warm up over the first thousand requests: warm both first.
await perCall(viaOpenApi);
await perCall([direct]);
const calls = {
  openApiMsPerCall: await perCall(viaOpenApi),
  fetchToolMsPerCall: await perCall([direct]),
};
server.close();

const results = { reads, listing, calls };
if (json) {
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
} else {
  const f = (n) => n.toFixed(2);
  console.log("OpenAPI documents as tools\n");
  console.log("| read | operations | median ms |\n| --- | --- | --- |");
  for (const [name, r] of Object.entries(reads))
    console.log(`| ${name} | ${r.operations} | ${f(r.ms)} |`);
  console.log(
    `\nlisting of ${listing.tools} tools: full ${listing.fullBytes} B (~${listing.fullTokens} tokens), ` +
      `compact ${listing.compactBytes} B (~${listing.compactTokens} tokens), ` +
      `${((100 * listing.compactBytes) / listing.fullBytes).toFixed(1)}%`,
  );
  console.log(
    `\nper GET call (in-process, loopback): OpenAPI tool ${f(calls.openApiMsPerCall)} ms, ` +
      `defineTool + fetch ${f(calls.fetchToolMsPerCall)} ms`,
  );
}
