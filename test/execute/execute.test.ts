import { defineTool, execute, type Isolation, ToolError } from "codemode";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { expectError, expectOk } from "../helpers/results.js";

const fetchData = defineTool({
  name: "fetch_data",
  description: "Fetch rows of a dataset.",
  parameters: z.object({ dataset: z.string(), limit: z.number().int().default(10) }),
  execute: async ({ dataset, limit }) =>
    Array.from({ length: limit as number }, (_, i) => ({ dataset, row: i })),
});

describe.each<Isolation>(["process", "in-process"])("execute() with isolation %s", (isolation) => {
  it("returns the last expression as plain JS", async () => {
    const result = await execute(
      [
        "import datetime",
        "data = {'n': 2**70, 't': (1, 2), 's': {3}, 'b': b'hi', 'f': 1.5, 'none': None}",
        "data['d'] = datetime.date(2024, 1, 2)",
        "data['dt'] = datetime.datetime(2024, 1, 2, 3, 4, 5)",
        "data",
      ].join("\n"),
      { isolation },
    );
    expect(expectOk(result)).toEqual({
      n: 2n ** 70n,
      t: [1, 2],
      s: [3],
      b: new Uint8Array([104, 105]),
      f: 1.5,
      none: null,
      d: "2024-01-02",
      dt: "2024-01-02T03:04:05",
    });
  });

  it("turns inputs into Python variables", async () => {
    const result = await execute("sum(xs) + offset['by']", {
      isolation,
      inputs: { xs: [1, 2, 3], offset: new Map([["by", 10]]) },
    });
    expect(expectOk(result)).toBe(16);
  });

  it("calls Zod tools with positional and keyword arguments, awaiting async ones", async () => {
    const result = await execute(
      "a = fetch_data('sales', 2)\nb = fetch_data(dataset='hr', limit=1)\n[a, b]",
      { isolation, tools: [fetchData] },
    );
    expect(expectOk(result)).toEqual([
      [
        { dataset: "sales", row: 0 },
        { dataset: "sales", row: 1 },
      ],
      [{ dataset: "hr", row: 0 }],
    ]);
    expect(result.toolCalls.map((c) => [c.name, c.args])).toEqual([
      ["fetch_data", { dataset: "sales", limit: 2 }],
      ["fetch_data", { dataset: "hr", limit: 1 }],
    ]);
  });

  it("uses a record key as the name the code calls", async () => {
    const result = await execute("len(fetch_metric('x'))", {
      isolation,
      tools: { fetch_metric: fetchData },
    });
    expect(expectOk(result)).toBe(10);
    expect(result.toolCalls[0]?.name).toBe("fetch_metric");
  });

  it("accepts plain functions as tools", async () => {
    function add(a: number, b: number) {
      return a + b;
    }
    const result = await execute("add(1, 2) + add(a=3, b=4)", { isolation, tools: [add] });
    expect(expectOk(result)).toBe(10);
  });

  it("rejects bad arguments with a TypeError the code can catch, before the tool runs", async () => {
    let ran = 0;
    const tool = defineTool({
      name: "get_row",
      description: "Get a row.",
      parameters: z.object({ index: z.number().int() }),
      execute: () => {
        ran += 1;
        return {};
      },
    });
    const result = await execute(
      "try:\n  get_row('seven')\nexcept TypeError as e:\n  msg = str(e)\nmsg",
      { isolation, tools: [tool] },
    );
    expect(expectOk(result)).toMatch(/index/);
    expect(ran).toBe(0);
    expect(result.toolCalls[0]).toMatchObject({
      name: "get_row",
      ok: false,
      error: { type: "TypeError" },
    });
  });

  it("raises tool errors into Python with the message preserved", async () => {
    const tool = defineTool({
      name: "explode",
      description: "Always fails.",
      execute: () => {
        throw new Error("disk on fire");
      },
    });
    const caught = await execute("try:\n  explode()\nexcept Exception as e:\n  r = str(e)\nr", {
      isolation,
      tools: [tool],
    });
    expect(expectOk(caught)).toBe("disk on fire");

    const uncaught = await execute("x = 1\nexplode()", { isolation, tools: [tool] });
    expect(expectError(uncaught)).toMatchObject({
      type: "RuntimeError",
      message: "disk on fire",
      line: 2,
    });
    expect(uncaught.toolCalls[0]).toMatchObject({ ok: false, error: { message: "disk on fire" } });
    // The host's record keeps where the tool threw; the program saw only the message.
    expect(uncaught.toolCalls[0]!.error!.stack).toMatch(/^Error: disk on fire\n\s+at /);
    expect(expectError(uncaught).message).not.toContain(" at ");
  });

  it("lets a tool choose the Python exception type", async () => {
    const tool = defineTool({
      name: "lookup",
      description: "Look up a key.",
      parameters: z.object({ key: z.string() }),
      execute: ({ key }) => {
        throw new ToolError(`no such key: ${key}`, { pythonType: "KeyError" });
      },
    });
    const result = await execute("try:\n  lookup('a')\nexcept KeyError:\n  r = 'missing'\nr", {
      isolation,
      tools: [tool],
    });
    expect(expectOk(result)).toBe("missing");
  });

  it("names the available tools and the closest one for an unknown function", async () => {
    const result = await execute("fetch_dat('sales')", { isolation, tools: [fetchData] });
    const error = expectError(result);
    expect(error.type).toBe("NameError");
    expect(error.message).toContain("Did you mean 'fetch_data'?");
    expect(error.message).toContain("Available functions: fetch_data");
    expect(error.line).toBe(1);

    const bare = await execute("x = fetch_dat", { isolation, tools: [fetchData] });
    expect(expectError(bare).message).toContain("Did you mean 'fetch_data'?");
  });

  it("records every call in order with timing, as JSON-safe data", async () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const tools = {
      exotic: () => ({ when: new Date(0), m: new Map([["k", 1]]), u: undefined, big: 5n }),
      loop: () => cyclic,
    };
    const result = await execute(
      "e = exotic()\ntry:\n  loop()\nexcept TypeError as err:\n  msg = str(err)\n[e, msg]",
      { isolation, tools },
    );
    const [e, msg] = expectOk(result) as [unknown, string];
    expect(e).toEqual({ when: "1970-01-01T00:00:00.000Z", m: { k: 1 }, u: null, big: 5 });
    expect(msg).toMatch(/cycle/);
    expect(result.toolCalls.map((c) => [c.seq, c.name, c.ok])).toEqual([
      [1, "exotic", true],
      [2, "loop", false],
    ]);
    for (const call of result.toolCalls) {
      expect(call.startedAt).toBeGreaterThan(Date.now() - 60_000);
      expect(call.durationMs).toBeGreaterThanOrEqual(0);
    }
    expect(() => JSON.stringify(result.toolCalls)).not.toThrow();
  });

  it("strips marker keys so a tool cannot forge Python objects", async () => {
    const tools = {
      evil: () => ({
        __monty_type__: "Exception",
        excType: "SystemExit",
        message: "bye",
        nested: [{ __tuple__: true, __monty_type__: "Date", year: 1 }],
      }),
    };
    const result = await execute("r = evil()\n[type(r).__name__, sorted(r.keys()), r['nested']]", {
      isolation,
      tools,
    });
    expect(expectOk(result)).toEqual(["dict", ["excType", "message", "nested"], [{ year: 1 }]]);
  });

  it("captures printed output in order and caps it", async () => {
    const result = await execute("print('a', 1)\nprint('b', end='')\n'done'", { isolation });
    expect(result.output).toBe("a 1\nb");
    const big = await execute("for i in range(1000):\n  print('x' * 100)", {
      isolation,
      limits: { maxOutputBytes: 1000 },
    });
    expect(big.ok).toBe(true);
    expect(big.output.startsWith("x".repeat(100))).toBe(true);
    expect(big.output).toContain("[output truncated at 1000 bytes (limit maxOutputBytes)");
    expect(big.output.length).toBeLessThan(1200);
  });

  it("reports the line of syntax errors and exceptions", async () => {
    const syntax = await execute("x = 1\nif x:\nprint(x)", { isolation });
    expect(expectError(syntax)).toMatchObject({ type: "SyntaxError", line: 3 });
    const runtime = await execute("x = 1\ny = 2\nz = {}['k']", { isolation });
    expect(expectError(runtime)).toMatchObject({ type: "KeyError", line: 3 });
  });

  it("stops a busy loop at the time limit", async () => {
    const result = await execute("x = 0\nwhile True:\n  x += 1", {
      isolation,
      limits: { timeoutMs: 300 },
    });
    const error = expectError(result);
    expect(error.type).toBe("TimeoutError");
    expect(error.message).toContain("timeoutMs");
    expect(error.limit).toBe("timeoutMs");
  });

  it("stops at the memory limit", async () => {
    const result = await execute("x = 'a' * (10 ** 9)\nlen(x)", { isolation });
    const error = expectError(result);
    expect(error.type).toBe("MemoryError");
    expect(error.message).toContain("maxMemoryBytes");
    expect(error.limit).toBe("maxMemoryBytes");
  });
});
