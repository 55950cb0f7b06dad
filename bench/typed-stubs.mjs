#!/usr/bin/env node
/**
 * What TypedDict stubs cost: rendering a large tool set (signatures, TypedDicts, stub) and
 * type-checking a program against it, beside the same tools without object schemas.
 * Run after a build: `npm run build && node bench/typed-stubs.mjs [toolCount]`.
 */
import {
  defineTool,
  normalizeTools,
  pythonStub,
  pythonToolListing,
  typeCheckProgram,
} from "../dist/index.js";

const COUNT = Number(process.argv[2] ?? 150);
const REPS = 9;

const objectTool = (i) =>
  defineTool({
    name: `tool_${i}`,
    description: `Tool ${i}.`,
    parameters: {
      type: "object",
      properties: {
        id: { type: "integer" },
        filter: {
          type: "object",
          properties: {
            a: { type: "string" },
            b: { type: "array", items: { type: "object", properties: { x: { type: "number" } } } },
          },
        },
      },
      required: ["id"],
    },
    returns: {
      type: "object",
      properties: {
        id: { type: "integer" },
        name: { type: "string" },
        tags: {
          type: "array",
          items: { type: "object", properties: { label: { type: "string" } }, required: ["label"] },
        },
      },
      required: ["id", "name"],
    },
    execute: () => ({ id: i, name: "x", tags: [] }),
  });

const plainTool = (i) =>
  defineTool({
    name: `tool_${i}`,
    description: `Tool ${i}.`,
    parameters: { type: "object", properties: { id: { type: "integer" } }, required: ["id"] },
    execute: () => ({ id: i }),
  });

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function measure(label, make) {
  const renders = [];
  let stub = "";
  let listing = "";
  for (let r = 0; r < REPS; r++) {
    const tools = normalizeTools(Array.from({ length: COUNT }, (_, i) => make(i)));
    const t0 = performance.now();
    listing = pythonToolListing(tools);
    stub = pythonStub(tools);
    renders.push(performance.now() - t0);
  }
  const program = 'r = tool_3(1)\nx = r["name"]\nx';
  typeCheckProgram(program, stub); // warm the checker
  const checks = [];
  for (let r = 0; r < REPS; r++) {
    const t0 = performance.now();
    typeCheckProgram(program, stub);
    checks.push(performance.now() - t0);
  }
  return {
    label,
    tools: COUNT,
    "render ms": median(renders).toFixed(1),
    "type check ms": median(checks).toFixed(1),
    "prompt listing chars": listing.length,
    "stub chars": stub.length,
  };
}

console.table([measure("objects -> TypedDicts", objectTool), measure("scalars only", plainTool)]);
