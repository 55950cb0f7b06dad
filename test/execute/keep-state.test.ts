/**
 * `execute(code, { keepState: true })` hands the program's data variables back as
 * `result.state`, and `execute(next, { state })` starts the next program with them: how the
 * agent's turns carry `rows = fetch_data()` over without calling the tool again.
 */
import { defineTool, type ExecutionResult, execute, type Isolation } from "codemode";
import { describe, expect, it } from "vitest";
import { z } from "zod";

function ok(result: ExecutionResult) {
  if (!result.ok) throw new Error(`${result.error.type}: ${result.error.message}`);
  return result;
}

describe.each<Isolation>(["process", "in-process"])("keepState (%s)", (isolation) => {
  it("carries data to the next program as the same Python values, without calling tools again", async () => {
    let fetches = 0;
    const fetchRows = defineTool({
      name: "fetch_rows",
      parameters: z.object({}),
      execute: () => {
        fetches += 1;
        return [
          { region: "north", amount: 5 },
          { region: "south", amount: 7 },
        ];
      },
    });
    const first = ok(
      await execute(
        [
          "import datetime",
          "rows = fetch_rows()",
          "by_year = {2024: 5, (1, 2): 'pair'}",
          "seen = {'a', 'b'}",
          "point = (3, 4)",
          "day = datetime.date(2024, 5, 17)",
          "def helper(x):",
          "    return x",
          "len(rows)",
        ].join("\n"),
        { tools: [fetchRows], keepState: true, isolation },
      ),
    );
    expect(first.value).toBe(2); // the last expression is still the result
    expect(Object.keys(first.state!.variables).sort()).toEqual(
      ["by_year", "day", "point", "rows", "seen"].sort(),
    );
    expect(first.state!.dropped).toEqual(
      expect.arrayContaining([
        { name: "datetime", reason: "not data", kind: "module" },
        { name: "helper", reason: "not data", kind: "function" },
      ]),
    );

    const second = ok(
      await execute(
        "[sum(r['amount'] for r in rows), by_year[2024], by_year[(1, 2)], 'a' in seen, point[1], day.year, type(point).__name__]",
        { tools: [fetchRows], state: first.state!, keepState: true, typeCheck: true, isolation },
      ),
    );
    expect(second.value).toEqual([12, 5, "pair", true, 4, 2024, "tuple"]);
    expect(fetches).toBe(1);
    // Variables the second program did not touch are still there for a third.
    expect(Object.keys(second.state!.variables)).toContain("rows");
  });

  it("keeps the program's value semantics for every kind of last statement", async () => {
    const cases: [string, unknown][] = [
      ["x = 41\nx + 1", 42],
      ["x = 1", null],
      ["x = 1\nif x:\n    x + 1", null],
      ["a = 1; a + 1", 2],
      ['{\n  "summary": "done",  # the answer\n  "n": [1, 2],\n}', { summary: "done", n: [1, 2] }],
      ['s = "# not a comment = no"\ns', "# not a comment = no"],
      ['t = """line\nx = 2\n"""\nlen(t)', 11],
      ["x = 3\nx == 3", true],
      ["xs = [1, 2, 3]\nxs[:2]", [1, 2]],
      ["total = 0\nfor i in range(4):\n    total += i\ntotal", 6],
      ["(lambda y=2: y)()", 2],
      ['n = 5\nf"{n=}"', "n=5"],
      ["x = (1 +\n     2)\nx \\\n  * 2", 6],
    ];
    for (const [code, value] of cases) {
      const result = ok(await execute(code, { keepState: true, isolation }));
      expect(result.value, code).toEqual(value);
    }
  });

  it("reports an error on the program's own line, and a failed program keeps nothing", async () => {
    const first = ok(await execute("count = 1", { keepState: true, isolation }));
    const failed = await execute("count = count + 1\nmissing_name\ncount", {
      state: first.state!,
      keepState: true,
      isolation,
    });
    expect(failed.ok).toBe(false);
    if (!failed.ok) expect(failed.error).toMatchObject({ type: "NameError", line: 2 });
    const again = ok(await execute("count", { state: first.state!, keepState: true, isolation }));
    expect(again.value).toBe(1);
  });

  it("drops the largest variables past maxStateBytes and says so", async () => {
    const result = ok(
      await execute("big = 'x' * 5000\nsmall = 'y'\nlen(big)", {
        keepState: true,
        isolation,
        limits: { maxStateBytes: 1000 },
      }),
    );
    expect(result.value).toBe(5000);
    expect(Object.keys(result.state!.variables)).toEqual(["small"]);
    expect(result.state!.dropped).toEqual([{ name: "big", reason: "too large" }]);
  });

  it("refuses a state that is not one", async () => {
    await expect(
      execute("1", { state: { variables: { "not a name": 1 }, dropped: [] }, isolation }),
    ).rejects.toThrow(/not a Python name/);
    await expect(execute("1", { state: 5 as never, isolation })).rejects.toThrow(
      /earlier execute\(\) result/,
    );
  });
});
