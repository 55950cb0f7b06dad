/**
 * Argument mapping never crashes: whatever call shape reaches a tool (random positional
 * and keyword arguments of random values, against random parameter schemas), it either
 * binds or fails with the typed argument error, which Python sees as a TypeError.
 */
import { defineTool, execute, type JsonSchema, type Tool, ToolArgumentError } from "codemode";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bindArguments } from "../../src/tools/call/bind-arguments.js";
import { prepareCall } from "../../src/tools/call/prepare-call.js";
import { keywordOnlyStart } from "../../src/tools/define/parameters.js";
import { type Json, jsonValue, pythonLiteral } from "./arbitraries.js";

const NAMES = ["a", "b", "data", "limit", "x_1", "flag"] as const;

const propertySchema: fc.Arbitrary<JsonSchema> = fc.oneof(
  fc.constant({}),
  fc.constant({ type: "string" }),
  fc.constant({ type: "integer" }),
  fc.constant({ type: "number", minimum: 0 }),
  fc.constant({ type: "boolean" }),
  fc.constant({ type: "array", items: { type: "integer" } }),
  fc.constant({ type: "object", additionalProperties: { type: "string" } }),
  fc.constant({ type: ["string", "null"] }),
  fc.constant({ enum: ["x", "y", 3] }),
  fc.constant({ type: "integer", default: 5 }),
  fc.constant({ anyOf: [{ type: "string" }, { type: "array" }] }),
);

/** A tool with 0-5 parameters of random types, some required; it returns what it got. */
const randomTool: fc.Arbitrary<Tool> = fc
  .uniqueArray(fc.constantFrom(...NAMES), { maxLength: 5 })
  .chain((names) =>
    fc.tuple(
      fc.constant(names),
      fc.array(propertySchema, { minLength: names.length, maxLength: names.length }),
      fc.subarray(names),
    ),
  )
  .map(([names, schemas, required]) =>
    defineTool({
      name: "f",
      parameters: {
        type: "object",
        properties: Object.fromEntries(names.map((n, i) => [n, schemas[i]])),
        required,
      },
      execute: (args) => args,
    }),
  );

/** A parameter name of this tool most of the time, sometimes a stranger. */
function keywordFor(tool: Tool, identifiersOnly = false): fc.Arbitrary<string> {
  const own = tool.parameters.map((p) => p.name);
  const strangers = fc.constantFrom("other", "zz");
  const stranger = identifiersOnly ? strangers : fc.oneof(strangers, fc.string({ maxLength: 8 }));
  return own.length === 0
    ? stranger
    : fc.oneof(
        { weight: 5, arbitrary: fc.constantFrom(...own) },
        { weight: 1, arbitrary: stranger },
      );
}

/** Values that often fit the schemas above, and often do not. */
const argumentValue: fc.Arbitrary<Json> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom<Json>("x", "y", 3, 7, 1.5, true, null, [1, 2], { k: "v" }),
  },
  { weight: 1, arbitrary: jsonValue() },
);

/** A value each schema above accepts. */
function fittingValue(schema: JsonSchema): Json {
  if (Array.isArray(schema.enum)) return "x";
  if (schema.anyOf) return "x";
  if (Array.isArray(schema.type)) return null;
  switch (schema.type) {
    case "string":
      return "text";
    case "integer":
      return 7;
    case "number":
      return 1.5;
    case "boolean":
      return true;
    case "array":
      return [1, 2];
    case "object":
      return { k: "v" };
    default:
      return { any: ["thing"] };
  }
}

/** A call the tool accepts: a positional prefix, then keywords, optional ones sometimes left out. */
function wellFormedCall(tool: Tool) {
  const params = tool.parameters;
  return fc
    .tuple(
      fc.integer({ min: 0, max: keywordOnlyStart(params) }),
      fc.array(fc.boolean(), { minLength: params.length, maxLength: params.length }),
    )
    .map(([positionalCount, include]) => {
      const positional = params.slice(0, positionalCount).map((p) => fittingValue(p.schema));
      const keywords = params
        .slice(positionalCount)
        .filter((p, i) => p.required || include[i])
        .map((p): [string, Json] => [p.name, fittingValue(p.schema)]);
      return { positional, keywords, star: undefined, doubleStar: undefined };
    });
}

function isArgumentError(error: unknown): boolean {
  return error instanceof ToolArgumentError;
}

describe("argument mapping", () => {
  it("bindArguments binds or throws ToolArgumentError for any argument shape", () => {
    const value = fc.oneof(argumentValue, fc.anything());
    const withCall = randomTool.chain((tool) =>
      fc.tuple(
        fc.constant(tool),
        fc.oneof(
          { weight: 6, arbitrary: fc.array(value, { maxLength: tool.parameters.length + 1 }) },
          { weight: 1, arbitrary: fc.anything() },
        ),
        fc.oneof(
          { weight: 6, arbitrary: fc.dictionary(keywordFor(tool), value, { maxKeys: 4 }) },
          {
            weight: 1,
            arbitrary: fc.array(fc.tuple(fc.anything(), value)).map((e) => new Map(e)),
          },
          { weight: 1, arbitrary: fc.anything() },
        ),
      ),
    );
    const outcomes = { bound: 0, refused: 0 };
    fc.assert(
      fc.property(withCall, ([tool, args, kw]) => {
        let bound: Record<string, unknown>;
        try {
          bound = bindArguments(tool, args, kw);
        } catch (error) {
          if (!isArgumentError(error)) throw error;
          outcomes.refused += 1;
          return;
        }
        outcomes.bound += 1;
        // What binds names only real parameters and every required one.
        const names = new Set(tool.parameters.map((p) => p.name));
        for (const key of Object.keys(bound)) expect(names).toContain(key);
        for (const p of tool.parameters) {
          if (p.required) expect(Object.hasOwn(bound, p.name)).toBe(true);
        }
      }),
      { numRuns: 1000 },
    );
    expect(outcomes.bound).toBeGreaterThan(50);
    expect(outcomes.refused).toBeGreaterThan(50);
  });

  it("prepareCall (bind + validate) returns the tool's input or a message naming the tool", async () => {
    await fc.assert(
      fc.asyncProperty(
        randomTool.chain((tool) =>
          fc.tuple(
            fc.constant(tool),
            fc.array(argumentValue, { maxLength: tool.parameters.length + 1 }),
            fc.dictionary(keywordFor(tool), argumentValue, { maxKeys: 4 }),
          ),
        ),
        async ([tool, args, kwargs]) => {
          const prepared = await prepareCall(tool, args, kwargs);
          if (prepared.ok) expect(typeof prepared.value).toBe("object");
          else expect(prepared.message).toMatch(/^f\(\)/);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("any Python call shape ends in a value or a catchable TypeError, never a crash", async () => {
    const maybe = <T>(arb: fc.Arbitrary<T>) =>
      fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });
    const randomCall = (tool: Tool) =>
      fc.record({
        positional: fc.array(argumentValue, { maxLength: tool.parameters.length + 1 }),
        keywords: fc.array(fc.tuple(keywordFor(tool, true), argumentValue), { maxLength: 3 }),
        star: maybe(fc.array(argumentValue, { maxLength: 2 })),
        doubleStar: maybe(fc.dictionary(keywordFor(tool), argumentValue, { maxKeys: 2 })),
      });
    const withCall = randomTool.chain((tool) =>
      fc.tuple(fc.constant(tool), fc.oneof(randomCall(tool), wellFormedCall(tool))),
    );
    const outcomes = { ok: 0, TypeError: 0 };
    await fc.assert(
      fc.asyncProperty(withCall, async ([tool, c]) => {
        const parts = c.positional.map(pythonLiteral);
        if (c.star) parts.push(`*${pythonLiteral(c.star)}`);
        // Python refuses a repeated keyword at parse time; keep the first of each.
        const seen = new Set<string>();
        for (const [k, v] of c.keywords) {
          if (seen.has(k)) continue;
          seen.add(k);
          parts.push(`${k}=${pythonLiteral(v)}`);
        }
        if (c.doubleStar) parts.push(`**${pythonLiteral(c.doubleStar)}`);
        const code = `try:\n  r = ['ok', f(${parts.join(", ")})]\nexcept TypeError as e:\n  r = ['TypeError', str(e)]\nr`;
        const result = await execute(code, { isolation: "in-process", tools: [tool] });
        if (!result.ok)
          throw new Error(`${code}\n-> ${result.error.type}: ${result.error.message}`);
        const [tag, detail] = result.value as ["ok" | "TypeError", unknown];
        outcomes[tag] += 1;
        if (tag === "TypeError") {
          expect(detail).toMatch(/f\(\)/);
        } else {
          const names = new Set(tool.parameters.map((p) => p.name));
          for (const key of Object.keys(detail as object)) expect(names).toContain(key);
        }
      }),
      { numRuns: 300 },
    );
    // Both paths were exercised, not just one.
    expect(outcomes.ok).toBeGreaterThan(20);
    expect(outcomes.TypeError).toBeGreaterThan(20);
  }, 60_000);
});
