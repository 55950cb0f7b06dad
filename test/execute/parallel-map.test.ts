import { defineTool, execute, type Isolation } from "codemode";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { expectOk } from "../helpers/results.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function slowSquare(delayMs: number) {
  const state = { inFlight: 0, maxInFlight: 0 };
  const tool = defineTool({
    name: "square",
    description: "Square a number, slowly.",
    parameters: z.object({ x: z.number() }),
    execute: async ({ x }) => {
      state.inFlight += 1;
      state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
      await sleep(delayMs);
      state.inFlight -= 1;
      if (x === 13) throw new Error("unlucky");
      return (x as number) ** 2;
    },
  });
  return { tool, state };
}

describe.each<Isolation>(["process", "in-process"])("parallel_map (%s)", (isolation) => {
  it("runs calls concurrently and keeps input order", async () => {
    const { tool, state } = slowSquare(50);
    const result = await execute("parallel_map(square, range(8))", { isolation, tools: [tool] });
    expect(expectOk(result)).toEqual([0, 1, 4, 9, 16, 25, 36, 49]);
    // All eight were in flight at once (timing is bench/'s job, not a test's).
    expect(state.maxInFlight).toBe(8);
    expect(result.toolCalls.map((c) => c.args)).toEqual(
      Array.from({ length: 8 }, (_, x) => ({ x })),
    );
  });

  it("accepts the tool by name, zips several iterables, and bounds concurrency", async () => {
    const { tool, state } = slowSquare(10);
    const power = defineTool({
      name: "power",
      description: "x to the n.",
      parameters: z.object({ x: z.number(), n: z.number() }),
      execute: ({ x, n }) => (x as number) ** (n as number),
    });
    const result = await execute(
      "a = parallel_map('power', [2, 3, 4], (3, 2))\nb = parallel_map(square, [1, 2, 3, 4, 5, 6], concurrency=2)\n[a, b]",
      { isolation, tools: [tool, power] },
    );
    expect(expectOk(result)).toEqual([
      [8, 9],
      [1, 4, 9, 16, 25, 36],
    ]);
    expect(state.maxInFlight).toBe(2);
  });

  it("caps concurrency at maxConcurrentToolCalls", async () => {
    const { tool, state } = slowSquare(10);
    const result = await execute("parallel_map(square, range(10))", {
      isolation,
      tools: [tool],
      limits: { maxConcurrentToolCalls: 3 },
    });
    expect(result.ok).toBe(true);
    expect(state.maxInFlight).toBe(3);
  });

  it("raises the first failure, or returns exception objects with return_exceptions=True", async () => {
    const { tool } = slowSquare(1);
    const raised = await execute(
      "try:\n  parallel_map(square, [12, 13, 14])\nexcept Exception as e:\n  r = str(e)\nr",
      { isolation, tools: [tool] },
    );
    expect(expectOk(raised)).toBe("unlucky");

    const kept = await execute(
      "rs = parallel_map(square, [12, 13, 14], return_exceptions=True)\n[isinstance(r, Exception) for r in rs] + [str(rs[1]), rs]",
      { isolation, tools: [tool] },
    );
    expect(expectOk(kept)).toEqual([
      false,
      true,
      false,
      "unlucky",
      [144, { error: { type: "RuntimeError", message: "unlucky" } }, 196],
    ]);
  });

  it("explains that Python functions cannot be mapped on the host", async () => {
    const { tool } = slowSquare(1);
    const result = await execute("def f(x):\n  return x\nparallel_map(f, [1])", {
      isolation,
      tools: [tool],
    });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.type).toBe("TypeError");
      expect(result.error.message).toContain("list comprehension");
      expect(result.error.line).toBe(3);
    }
  });

  describe("keyword arguments for every call", () => {
    const seen: Record<string, unknown>[] = [];
    const getOrders = defineTool({
      name: "get_orders",
      description: "A customer's orders.",
      parameters: z.object({
        customer_id: z.number().int(),
        status: z.enum(["open", "paid"]).optional(),
        since: z.string().optional(),
      }),
      execute: (args) => {
        seen.push(args);
        return { customer: args.customer_id, since: args.since ?? null };
      },
    });
    const run = (code: string, typeCheck = true) => {
      seen.length = 0;
      return execute(code, { isolation, tools: [getOrders], typeCheck });
    };

    it("go to every call, type-checked, by the tool or its name", async () => {
      const result = await run(
        'a = parallel_map(get_orders, [1, 2], since="2025-01-01")\nb = parallel_map("get_orders", [3], status="open", since="2025-02-01", concurrency=1)\n[a, b]',
      );
      expect(expectOk(result)).toEqual([
        [
          { customer: 1, since: "2025-01-01" },
          { customer: 2, since: "2025-01-01" },
        ],
        [{ customer: 3, since: "2025-02-01" }],
      ]);
      expect(result.toolCalls.map((c) => c.args)).toEqual([
        { customer_id: 1, since: "2025-01-01" },
        { customer_id: 2, since: "2025-01-01" },
        { customer_id: 3, status: "open", since: "2025-02-01" },
      ]);
    });

    it("a keyword the tool does not take, or a wrong type of one, stops the program before any call", async () => {
      for (const [code, says] of [
        ['get_orders(1)\nparallel_map(get_orders, [1, 2], sinc="2025-01-01")', "get_orders("],
        ["get_orders(1)\nparallel_map(get_orders, [1, 2], since=2025)", "Expected `str | None`"],
        ['get_orders(1)\nparallel_map("get_orders", [1], status="closed")', 'Literal["closed"]'],
      ] as const) {
        const result = await run(code);
        expect(result.ok, code).toBe(false);
        if (result.ok) continue;
        expect(result.error).toMatchObject({ type: "TypeCheckError", line: 2 });
        expect(result.error.message).toContain(says);
        expect(seen).toEqual([]);
      }
    });

    it("a tool held in a variable is checked when called: no call runs with a bad keyword", async () => {
      const ok = await run('t = get_orders\nparallel_map(t, [1], since="2025-01-01")');
      expect(expectOk(ok)).toEqual([{ customer: 1, since: "2025-01-01" }]);
      const bad = await run('parallel_map(get_orders, [1, 2], sinc="x")', false);
      expect(bad.ok).toBe(false);
      if (!bad.ok) expect(bad.error.type).toBe("TypeError");
      expect(seen).toEqual([]);
    });
  });
});
