/**
 * Any JSON-compatible value crosses the sandbox boundary unchanged: as an input, as a tool
 * result, and as a tool argument coming back out of Python. Integers past 2^53 come back
 * as exact `bigint`s (see `normalizeFromPython`); strings with lone surrogates come back
 * with U+FFFD in their place (Python strings cannot hold them).
 */
import { defineTool, execute, type Isolation, SandboxPool } from "codemode";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { type Json, jsonNormalForm, jsonValue, normalizeFromPython } from "./arbitraries.js";

const pool = new SandboxPool({ size: 2 });
afterAll(() => pool.close());

const RUNS: Record<Isolation, number> = { "in-process": 200, process: 60 };

/** A tool returning the current value, and one recording what Python passes it. */
function boundaryTools(current: { value: Json }, received: unknown[]) {
  return [
    defineTool({ name: "give", execute: () => current.value }),
    defineTool({
      name: "take",
      parameters: { type: "object", properties: { x: {} }, required: ["x"] },
      execute: ({ x }) => {
        received.push(x);
        return "taken";
      },
    }),
  ];
}

describe.each<Isolation>(["in-process", "process"])("JSON round trip (%s)", (isolation) => {
  it("inputs -> value, tool result -> value, and value -> tool argument", async () => {
    const current: { value: Json } = { value: null };
    const received: unknown[] = [];
    const tools = boundaryTools(current, received);
    await fc.assert(
      fc.asyncProperty(jsonValue({ stringUnit: "binary" }), async (value) => {
        current.value = value;
        received.length = 0;
        const expected = jsonNormalForm(value);
        const result = await execute("r = give()\ntake(data)\n[data, r]", {
          isolation,
          pool,
          tools,
          inputs: { data: value },
        });
        if (!result.ok) throw new Error(`${result.error.type}: ${result.error.message}`);
        const [fromInput, fromTool] = result.value as [unknown, unknown];
        expect(normalizeFromPython(fromInput)).toEqual(expected);
        expect(normalizeFromPython(fromTool)).toEqual(expected);
        expect(received).toHaveLength(1);
        expect(normalizeFromPython(received[0])).toEqual(expected);
      }),
      { numRuns: RUNS[isolation] },
    );
  }, 120_000);
});

describe("edges found by the properties", () => {
  it("keeps 2^63 as 2^63 (Monty alone saturates it to 2^63 - 1)", async () => {
    const result = await execute("[data, data - 1, -data]", {
      isolation: "in-process",
      inputs: { data: 2 ** 63 },
    });
    expect(result).toMatchObject({
      ok: true,
      value: [2n ** 63n, 2n ** 63n - 1n, -(2n ** 63n)],
    });
  });

  it("keeps dict keys that contain a NUL character (Monty alone refuses the whole value)", async () => {
    const value = { "a\u0000b": { "\u0000": [1, "\u0000"] }, plain: 1 };
    const give = defineTool({ name: "give", execute: () => value });
    for (const isolation of ["in-process", "process"] as const) {
      const result = await execute("[data, give()]", {
        isolation,
        pool,
        tools: [give],
        inputs: { data: value },
      });
      expect(result).toMatchObject({ ok: true, value: [value, value] });
    }
  });
});
