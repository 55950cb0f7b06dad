import {
  type InferParameters,
  ToolDefinitionError as PublicToolDefinitionError,
  defineTool as publicDefineTool,
  execute as publicExecute,
  pythonToolListing,
} from "codemode";
import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import { ToolDefinitionError } from "../../src/errors.js";
import { defineTool, functionTool, isTool } from "../../src/tools/define/define-tool.js";
import { pythonSignature } from "../../src/tools/python/signature.js";
import type { ToolContext } from "../../src/tools/types.js";
import { TREE_SCHEMA } from "./tree-schema.js";

const context: ToolContext = { signal: new AbortController().signal, callSeq: 1 };

const fetchData = defineTool({
  name: "fetch_data",
  description: "Fetch rows from a dataset.",
  parameters: z.object({
    dataset: z.string().describe("Dataset name."),
    limit: z.number().int().default(10),
  }),
  returns: z.array(z.record(z.string(), z.any())),
  execute: ({ dataset, limit }) => [{ dataset, limit }],
});

describe("defineTool", () => {
  it("derives parameters from the schema, in property order", () => {
    expect(fetchData.name).toBe("fetch_data");
    expect(
      fetchData.parameters.map((p) => [p.name, p.required, p.hasDefault, p.defaultValue]),
    ).toEqual([
      ["dataset", true, false, undefined],
      ["limit", false, true, 10],
    ]);
    expect(fetchData.inputSchema.type).toBe("object");
    expect(fetchData.outputSchema?.type).toBe("array");
  });

  it("validates, applies defaults, and executes", async () => {
    const result = await fetchData.validate({ dataset: "sales" });
    expect(result).toEqual({ ok: true, value: { dataset: "sales", limit: 10 } });
    if (!result.ok) return;
    expect(await fetchData.execute(result.value, context)).toEqual([
      { dataset: "sales", limit: 10 },
    ]);
  });

  it("names the argument when validation fails", async () => {
    expect(await fetchData.validate({ dataset: "sales", limit: "ten" })).toEqual({
      ok: false,
      message: "argument 'limit': expected int, got str",
    });
    expect(await fetchData.validate({ dataset: ["a"] })).toEqual({
      ok: false,
      message: "argument 'dataset': expected str, got list",
    });
  });

  it("applies JSON Schema defaults and names nested places", async () => {
    const tool = defineTool({
      name: "search",
      parameters: {
        type: "object",
        properties: {
          query: { type: "string" },
          page: { type: "integer", default: 1 },
          filters: {
            type: "array",
            items: { type: "object", properties: { field: { type: "string" } } },
          },
        },
        required: ["query"],
      },
      execute: (input) => input,
    });
    expect(await tool.validate({ query: "x" })).toEqual({
      ok: true,
      value: { query: "x", page: 1 },
    });
    expect(await tool.validate({ query: "x", filters: [{ field: 3 }] })).toEqual({
      ok: false,
      message: "argument 'filters[0][\"field\"]': expected str, got int",
    });
  });

  it("validates a recursive JSON Schema below its references, as an MCP tool's", async () => {
    const tool = publicDefineTool({
      name: "save_tree",
      parameters: TREE_SCHEMA,
      execute: () => "saved",
    });
    const program = [
      "try:",
      '    save_tree(root={"name": "a", "children": [{"name": "b", "children": [{"name": 3}]}]})',
      "except TypeError as e:",
      "    result = str(e)",
      "result",
    ].join("\n");
    const result = await publicExecute(program, { tools: [tool], isolation: "in-process" });
    expect(result.ok && result.value).toContain(
      `argument 'root["children"][0]["children"][0]["name"]': expected str, got int`,
    );
    const ok = await publicExecute('save_tree(root={"name": "a", "children": [{"name": "b"}]})', {
      tools: [tool],
      isolation: "in-process",
    });
    expect(ok.ok && ok.value).toBe("saved");
  });

  it("treats None for an optional parameter without default as not given", async () => {
    const tool = defineTool({
      name: "t",
      parameters: z.object({ a: z.string().optional() }),
      execute: (input) => input,
    });
    expect(await tool.validate({ a: null })).toEqual({ ok: true, value: {} });
  });

  it("types execute's input from a Zod schema", () => {
    const tool = defineTool({
      name: "typed",
      parameters: z.object({ n: z.number(), s: z.string().optional() }),
      returns: z.string(),
      // Compiles only because `n` is a number and the result a string.
      execute: ({ n, s }) => n.toFixed(1) + (s ?? ""),
    });
    expect(tool.execute({ n: 1 }, context)).toBe("1.0");
  });

  it("allows omitting parameters entirely", () => {
    const tool = defineTool({ name: "now", description: "", execute: () => 1 });
    expect(tool.parameters).toEqual([]);
    expect(pythonSignature(tool)).toBe("now() -> Any");
  });

  it.each([
    ["get-weather", 'try "get_weather"'],
    ["2fa", 'try "_2fa"'],
    ["class", 'Python keyword: try "class_"'],
    ["print", 'reserved.*Try "print_"'],
    ["parallel_map", "reserved"],
  ])("rejects the name %s with a suggestion", (name, message) => {
    const run = () => defineTool({ name, execute: () => 1 });
    expect(run).toThrow(ToolDefinitionError);
    expect(run).toThrow(new RegExp(message));
  });

  it("rejects parameter names Python cannot pass by keyword", () => {
    expect(() =>
      defineTool({
        name: "t",
        parameters: { type: "object", properties: { "user-id": { type: "string" } } },
        execute: () => 1,
      }),
    ).toThrow(/parameter "user-id".*"user_id"/);
  });
});

describe("functionTool", () => {
  it("reads names and simple defaults from a function declaration", async () => {
    function add(a: number, b = 2) {
      return a + b;
    }
    const tool = functionTool(add);
    expect(pythonSignature(tool)).toBe("add(a: Any, b: Any = 2) -> Any");
    const bound = await tool.validate({ a: 1 });
    expect(bound.ok && (await tool.execute(bound.value, context))).toBe(3);
  });

  it("reads arrow functions, async and single parameters", () => {
    const greet = async (name: string, punctuation = "!") => `hi ${name}${punctuation}`;
    const double = (x: number) => x * 2;
    expect(pythonSignature(functionTool(greet))).toBe(
      'greet(name: Any, punctuation: Any = "!") -> Any',
    );
    expect(pythonSignature(functionTool(double))).toBe("double(x: Any) -> Any");
    // A single-parameter arrow without parentheses, as JS prints it.
    const single = new Function("return x => x")() as (x: unknown) => unknown;
    expect(pythonSignature(functionTool(single, "identity"))).toBe("identity(x: Any) -> Any");
  });

  it("falls back to generic names for destructuring and keeps rest parameters", async () => {
    const tool = functionTool(
      ({ a }: { a: number }, scale = Math.PI, ...more: number[]) => a * scale + more.length,
      "calc",
    );
    expect(pythonSignature(tool)).toBe("calc(arg0: Any, scale: Any = None, *more: Any) -> Any");
    expect(await tool.execute({ arg0: { a: 1 }, scale: 2, more: [0, 0] }, context)).toBe(4);
    // None for a default that Python cannot show means "use the JS default".
    expect(await tool.execute({ arg0: { a: 1 }, scale: null }, context)).toBe(Math.PI);
  });

  it("ignores comments and default expressions containing commas", () => {
    function f(a /* first, really */: unknown, b = [1, 2], c = { x: 1, y: ")" }) {
      return [a, b, c];
    }
    expect(pythonSignature(functionTool(f))).toBe(
      "f(a: Any, b: Any = [1, 2], c: Any = None) -> Any",
    );
  });

  it("uses a description property as the docstring", () => {
    const tool = functionTool(
      Object.assign((x: number) => x, { description: "Echo x." }),
      "echo",
    );
    expect(tool.description).toBe("Echo x.");
  });

  it("asks for a name when the function is anonymous", () => {
    const anonymous = [() => 1][0]!;
    expect(() => functionTool(anonymous)).toThrow(/anonymous function.*\{ my_tool: fn \}/);
  });

  it("takes *args for native functions", () => {
    expect(pythonSignature(functionTool(Math.max, "maximum"))).toBe("maximum(*args: Any) -> Any");
  });
});

describe("isTool", () => {
  it("recognises tools and nothing else", () => {
    expect(isTool(fetchData)).toBe(true);
    expect(isTool(() => 1)).toBe(false);
    expect(isTool({ name: "x" })).toBe(false);
    expect(isTool(null)).toBe(false);
  });
});

describe("defineTool's schema names: inputSchema / outputSchema, or parameters / returns", () => {
  // Through the public door, as a user who writes AI SDK 5 tools would.
  it("reads inputSchema and outputSchema like an AI SDK tool()", async () => {
    const tool = publicDefineTool({
      name: "get_order",
      inputSchema: z.object({ id: z.string(), verbose: z.boolean().default(false) }),
      outputSchema: z.object({ id: z.string(), total: z.number() }),
      // Compiles only because `id` is inferred as a string and the result matches outputSchema.
      execute: ({ id, verbose }) => ({ id: id.toUpperCase(), total: verbose ? 2 : 1 }),
    });
    expect(pythonToolListing([tool])).toContain(
      "get_order(id: str, verbose: bool = False) -> GetOrderResult",
    );
    const result = await publicExecute('get_order("a")["total"]', {
      tools: [tool],
      isolation: "in-process",
    });
    expect(result.ok && result.value).toBe(1);
  });

  it("keeps parameters / returns as aliases with the same result", () => {
    const schemas = {
      input: z.object({ q: z.string() }),
      output: z.array(z.string()),
    };
    const aiSdkNames = publicDefineTool({
      name: "search",
      inputSchema: schemas.input,
      outputSchema: schemas.output,
      execute: ({ q }) => [q],
    });
    const aliases = publicDefineTool({
      name: "search",
      parameters: schemas.input,
      returns: schemas.output,
      execute: ({ q }) => [q],
    });
    expect(aliases.inputSchema).toEqual(aiSdkNames.inputSchema);
    expect(aliases.outputSchema).toEqual(aiSdkNames.outputSchema);
    expect(pythonToolListing([aliases])).toBe(pythonToolListing([aiSdkNames]));
  });

  it("infers execute's types from either name", () => {
    type Input = InferParameters<z.ZodObject<{ n: z.ZodNumber }>>;
    expectTypeOf<Input>().toEqualTypeOf<{ n: number }>();
    publicDefineTool({
      name: "typed",
      inputSchema: z.object({ n: z.number() }),
      outputSchema: z.string(),
      execute: (input) => {
        expectTypeOf(input).toEqualTypeOf<{ n: number }>();
        return input.n.toFixed(1);
      },
    });
    publicDefineTool({
      name: "typed",
      parameters: z.object({ n: z.number() }),
      returns: z.string(),
      execute: (input) => {
        expectTypeOf(input).toEqualTypeOf<{ n: number }>();
        return input.n.toFixed(1);
      },
    });
  });

  it("refuses a schema under both names, saying which to keep", () => {
    const both = () =>
      publicDefineTool({
        name: "t",
        inputSchema: z.object({ a: z.string() }),
        parameters: z.object({ a: z.string() }),
        execute: () => 1,
      });
    expect(both).toThrow(PublicToolDefinitionError);
    expect(both).toThrow(/give inputSchema or its alias parameters, not both/);
    expect(() =>
      publicDefineTool({
        name: "t",
        outputSchema: z.string(),
        returns: z.string(),
        execute: () => "",
      }),
    ).toThrow(/give outputSchema or its alias returns, not both/);
  });

  it("names the key the user wrote when a schema cannot be read", () => {
    expect(() =>
      publicDefineTool({ name: "t", inputSchema: z.string() as never, execute: () => 1 }),
    ).toThrow(/Tool "t" inputSchema/);
    expect(() =>
      publicDefineTool({ name: "t", parameters: z.string() as never, execute: () => 1 }),
    ).toThrow(/Tool "t" parameters/);
  });
});
