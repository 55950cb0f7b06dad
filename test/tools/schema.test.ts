import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ToolDefinitionError } from "../../src/errors.js";
import { compileParameters, compileSchema, toJsonSchema } from "../../src/tools/schema/compile.js";
import { validateJsonSchema } from "../../src/tools/schema/validate.js";
import { TREE_SCHEMA } from "./tree-schema.js";

describe("toJsonSchema", () => {
  it("converts a Zod schema, without $schema", () => {
    const schema = toJsonSchema(z.object({ a: z.string(), b: z.number().optional() }));
    expect(schema).toEqual({
      type: "object",
      properties: { a: { type: "string" }, b: { type: "number" } },
      required: ["a"],
    });
  });

  it("uses Zod's input view for parameters and output view for returns", () => {
    const s = z.object({ limit: z.number().default(10) });
    expect(toJsonSchema(s, "input").required).toBeUndefined();
    expect(toJsonSchema(s, "output").required).toEqual(["limit"]);
  });

  it("reads a Standard JSON Schema from another library", () => {
    const spec = {
      "~standard": {
        version: 1,
        vendor: "acme",
        validate: (value: unknown) => ({ value }),
        jsonSchema: {
          input: () => ({ $schema: "x", type: "object", properties: { q: { type: "string" } } }),
          output: () => ({ type: "string" }),
        },
      },
    };
    expect(toJsonSchema(spec)).toEqual({ type: "object", properties: { q: { type: "string" } } });
    expect(toJsonSchema(spec, "output")).toEqual({ type: "string" });
  });

  it("reads a toJSONSchema() method", () => {
    const spec = {
      "~standard": { version: 1, vendor: "acme", validate: (value: unknown) => ({ value }) },
      toJSONSchema: () => ({ type: "object", properties: {} }),
    };
    expect(toJsonSchema(spec)).toEqual({ type: "object", properties: {} });
  });

  it("explains when a Standard Schema cannot produce JSON Schema", () => {
    const spec = { "~standard": { version: 1, vendor: "acme", validate: () => ({ value: 1 }) } };
    expect(() => toJsonSchema(spec, "input", 'Tool "t" parameters')).toThrow(
      /Tool "t" parameters: this acme schema cannot describe itself as JSON Schema/,
    );
  });

  it("copies a plain JSON Schema, dropping nested $schema keys", () => {
    const input = {
      $schema: "s",
      type: "object",
      properties: { a: { $schema: "s", type: "string" } },
    };
    const schema = toJsonSchema(input);
    expect(schema).toEqual({ type: "object", properties: { a: { type: "string" } } });
    expect(Object.isFrozen(schema)).toBe(true);
    expect(input.$schema).toBe("s");
  });
});

describe("compileParameters", () => {
  it("accepts an omitted schema as no arguments", () => {
    expect(compileParameters(undefined, "p").jsonSchema).toEqual({
      type: "object",
      properties: {},
    });
  });

  it("rejects a non-object schema and says what to pass", () => {
    const run = () => compileParameters(z.string(), 'Tool "t" parameters');
    expect(run).toThrow(ToolDefinitionError);
    expect(run).toThrow(/must describe an object.*z\.object/);
  });

  it("rejects a bare object of Zod schemas with a hint to wrap it", () => {
    expect(() => compileParameters({ a: z.string() }, "p")).toThrow(/wrap it in z\.object/);
  });

  it("words Zod failures in Python terms", async () => {
    const compiled = compileParameters(
      z.object({ name: z.string(), n: z.number().int().min(1), tags: z.array(z.string()) }),
      "p",
    );
    const result = await compiled.check({ name: 1, n: 0, tags: ["a", 2] });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toEqual([
      { path: ["name"], message: "expected str, got int" },
      { path: ["n"], message: "expected a value >= 1, got 0" },
      { path: ["tags", 1], message: "expected str, got int" },
    ]);
  });

  it("parses Zod schemas with async refinements", async () => {
    const compiled = compileSchema(
      z.object({ a: z.string().refine(async (s) => s === "ok", "must be ok") }),
      "input",
      "p",
    );
    await expect(compiled.check({ a: "no" })).resolves.toEqual({
      ok: false,
      issues: [{ path: ["a"], message: "must be ok" }],
    });
    await expect(compiled.check({ a: "ok" })).resolves.toEqual({ ok: true, value: { a: "ok" } });
  });
});

describe("validateJsonSchema", () => {
  const schema = {
    type: "object",
    properties: {
      limit: { type: "integer", minimum: 1, maximum: 100 },
      name: { type: "string", minLength: 2, maxLength: 4 },
      mode: { enum: ["fast", "slow"] },
      note: { type: ["string", "null"] },
      ids: { type: "array", items: { type: "integer" } },
      either: { anyOf: [{ type: "string" }, { type: "boolean" }] },
      exact: { const: "yes" },
    },
    required: ["limit"],
    additionalProperties: false,
  };

  it("accepts valid values", () => {
    expect(
      validateJsonSchema(schema, { limit: 5, name: "abc", note: null, ids: [1], either: true }),
    ).toEqual([]);
  });

  it("reports each problem with its place", () => {
    const messages = (value: unknown) =>
      validateJsonSchema(schema, value).map((i) => `${i.path.join(".")}: ${i.message}`);
    expect(messages({ limit: "5" })).toEqual(["limit: expected int, got str"]);
    expect(messages({ limit: 1.5 })).toEqual(["limit: expected int, got float"]);
    expect(messages({ limit: 0 })).toEqual(["limit: expected a value >= 1, got 0"]);
    expect(messages({ limit: 101 })).toEqual(["limit: expected a value <= 100, got 101"]);
    expect(messages({ limit: 1, name: "a" })).toEqual([
      "name: expected at least 2 characters, got 1",
    ]);
    expect(messages({ limit: 1, name: "abcde" })).toEqual([
      "name: expected at most 4 characters, got 5",
    ]);
    expect(messages({ limit: 1, mode: "x" })).toEqual([
      'mode: expected one of "fast", "slow", got "x"',
    ]);
    expect(messages({ limit: 1, note: 3 })).toEqual(["note: expected str | None, got int"]);
    expect(messages({ limit: 1, ids: [1, "2"] })).toEqual(["ids.1: expected int, got str"]);
    expect(messages({ limit: 1, either: 3 })).toEqual(["either: expected str | bool, got int"]);
    expect(messages({ limit: 1, exact: "no" })).toEqual(['exact: expected "yes", got "no"']);
    expect(messages({})).toEqual([': missing required key "limit"']);
    expect(messages({ limit: 1, extra: 1 })).toEqual([': unexpected key "extra"']);
  });
});

describe("validateJsonSchema with references", () => {
  const tree = TREE_SCHEMA;
  const messages = (schema: unknown, value: unknown) =>
    validateJsonSchema(schema, value).map((i) => `${i.path.join(".")}: ${i.message}`);

  it("checks a recursive schema at every level below a reference", () => {
    const valid = { root: { name: "a", children: [{ name: "b", children: [{ name: "c" }] }] } };
    expect(messages(tree, valid)).toEqual([]);
    const deep = { root: { name: "a", children: [{ name: "b", children: [{ name: 3 }] }] } };
    expect(messages(tree, deep)).toEqual([
      "root.children.0.children.0.name: expected str, got int",
    ]);
    expect(messages(tree, { root: { children: [] } })).toEqual([
      'root: missing required key "name"',
    ]);
  });

  it("follows `#` and `definitions`, and words the expected type from the target", () => {
    const list = {
      type: "object",
      properties: {
        value: { type: "integer" },
        next: { anyOf: [{ $ref: "#" }, { type: "null" }] },
      },
    };
    expect(messages(list, { value: 1, next: { value: 2, next: null } })).toEqual([]);
    expect(messages(list, { value: 1, next: { value: 2, next: { value: "3" } } })).toEqual([
      "next.next.value: expected int, got str",
    ]);
    const legacy = {
      properties: { id: { $ref: "#/definitions/Id" } },
      definitions: { Id: { type: "string" } },
    };
    expect(messages(legacy, { id: 7 })).toEqual(["id: expected str, got int"]);
  });

  it("ends on reference cycles that consume no value, and accepts references it cannot resolve", () => {
    const cyclic = {
      $ref: "#/$defs/A",
      $defs: {
        A: { anyOf: [{ $ref: "#/$defs/B" }, { type: "string" }] },
        B: { allOf: [{ $ref: "#/$defs/A" }] },
      },
    };
    expect(messages(cyclic, "x")).toEqual([]);
    expect(
      messages({ $ref: "#/$defs/Self", $defs: { Self: { $ref: "#/$defs/Self" } } }, 1),
    ).toEqual([]);
    expect(messages({ $ref: "https://example.com/schema.json" }, 1)).toEqual([]);
    expect(messages({ properties: { a: { $ref: "#/$defs/Missing" } } }, { a: 1 })).toEqual([]);
  });
});
