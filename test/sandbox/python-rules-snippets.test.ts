/**
 * Every piece of code the prompt's rules show the model (`SANDBOX_PYTHON_SNIPPETS`, written
 * between double backticks in python-rules.ts) runs as written: type-checked against the
 * tools' stubs and run through `execute()`. A snippet may lean on names a program would
 * already have (set up by a few lines of plain Python before it, never an `import`), so a
 * snippet that needs a module must import it itself: a model copies the snippet, not the
 * setup.
 */
import { closeDefaultSandboxPool, defineTool, execute, ToolError } from "codemode";
import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { SANDBOX_PYTHON_RULES, SANDBOX_PYTHON_SNIPPETS } from "../../src/sandbox/python-rules.js";

const getUser = defineTool({
  name: "get_user",
  description: "One user by id.",
  parameters: z.object({ id: z.number().int() }),
  returns: z.object({ id: z.number().int(), name: z.string() }),
  execute: ({ id }) => {
    if (id < 0) throw new ToolError(`no user ${id}`, { pythonType: "KeyError" });
    return { id, name: `user ${id}` };
  },
});
const add = defineTool({
  name: "add",
  parameters: z.object({ a: z.number(), b: z.number() }),
  returns: z.number(),
  execute: ({ a, b }) => a + b,
});
const TOOLS = [getUser, add];

afterAll(() => closeDefaultSandboxPool());

interface Given {
  /** Python run before the snippet, defining the names it uses; no imports. */
  setup?: string;
  /** An expression after the snippet, when the snippet is a statement. */
  after?: string;
  expected: unknown;
}

/** Each snippet, with what a program would have around it and what it then gives. */
const GIVEN: Record<string, Given> = {
  '{"total": total, "top": top}': {
    setup: 'total = 7\ntop = ["a"]',
    expected: { total: 7, top: ["a"] },
  },
  "get_user(3)": { expected: { id: 3, name: "user 3" } },
  "user = get_user(id=3)": { after: 'user["name"]', expected: "user 3" },
  'from datetime import date; (date.fromisoformat("2025-03-01") - date(2025, 1, 31)).days': {
    expected: 29,
  },
  "from datetime import date, timedelta; (date(2025, 1, 31) + timedelta(days=7)).isoformat()": {
    expected: "2025-02-07",
  },
  "next(iter([x for x in xs if x > 0]), None)": { setup: "xs = [-1, 2, 3]", expected: 2 },
  "users = parallel_map(get_user, ids)": {
    setup: "ids = [1, 2]",
    after: '[u["id"] for u in users]',
    expected: [1, 2],
  },
  'parallel_map("get_user", ids)': { setup: "ids = [1]", expected: [{ id: 1, name: "user 1" }] },
  "parallel_map(add, xs, ys)": { setup: "xs = [1, 2]\nys = [10, 20]", expected: [11, 22] },
  "parallel_map(add, xs, b=10)": { setup: "xs = [1, 2]", expected: [11, 12] },
  "isinstance(r, Exception)": {
    setup: "r = parallel_map(get_user, [-1], return_exceptions=True)[0]",
    expected: true,
  },
  "counts[k] = counts.get(k, 0) + 1": {
    setup: 'counts = {"a": 1}\nk = "a"',
    after: "counts",
    expected: { a: 2 },
  },
  "groups.setdefault(k, []).append(v)": {
    setup: 'groups = {}\nk, v = "a", 1',
    after: "groups",
    expected: { a: [1] },
  },
  '{"name": name, "score": score}': {
    setup: 'name, score = "ada", 3',
    expected: { name: "ada", score: 3 },
  },
  "sum(x * x for x in xs)": { setup: "xs = [1, 2, 3]", expected: 14 },
  "d.pop(key)": { setup: 'd = {"a": 1}\nkey = "a"', expected: 1 },
  "items.pop(i)": { setup: "items = [5, 6]\ni = 0", expected: 5 },
  'f"{x:.2f}"': { setup: "x = 3.14159", expected: "3.14" },
  'f"{s:>10}"': { setup: 's = "ab"', expected: "        ab" },
  'f"{n:05d}"': { setup: "n = 42", expected: "00042" },
  'f"{r:.1%}"': { setup: "r = 0.256", expected: "25.6%" },
  'import re; re.sub(r"(\\d)(?=(\\d{3})+(?!\\d))", r"\\1,", f"{x:.2f}")': {
    setup: "x = 1234567.891",
    expected: "1,234,567.89",
  },
  "str(n)": { setup: "n = -1234567", expected: "-1234567" },
  "hex(n)": { setup: "n = 255", expected: "0xff" },
  "enumerate(xs, 1)": {
    setup: 'xs = ["a", "b"]',
    expected: [
      [1, "a"],
      [2, "b"],
    ],
  },
  'n = n * 16 + "0123456789abcdef".index(c)': {
    setup: 'n, c = 1, "f"',
    after: "n",
    expected: 31,
  },
  "sum(1 for x in xs if x > 0)": { setup: "xs = [1, -2, 3]", expected: 2 },
  "max(d, key=lambda k: d[k])": { setup: 'd = {"a": 1, "b": 3}', expected: "b" },
  "{**d1, **d2}": { setup: 'd1, d2 = {"a": 1}, {"a": 2, "b": 3}', expected: { a: 2, b: 3 } },
  "def helper(): ...": { after: "helper()", expected: null },
  "def main(): return helper()": {
    setup: "def helper():\n    return 1",
    after: "main()",
    expected: 1,
  },
  "f = deco(f)": {
    setup: "def deco(g):\n    return lambda x: g(x) * 10\ndef f(x):\n    return x",
    after: "f(2)",
    expected: 20,
  },
  "a.issubset(b)": { setup: "a, b = {1}, {1, 2}", expected: true },
  "a.issuperset(b)": { setup: "a, b = {1, 2}, {1}", expected: true },
  'sorted(rows, key=lambda r: (r["a"], r["b"]))': {
    setup: 'rows = [{"a": 2, "b": 1}, {"a": 1, "b": 5}]',
    expected: [
      { a: 1, b: 5 },
      { a: 2, b: 1 },
    ],
  },
};

describe("SANDBOX_PYTHON_SNIPPETS", () => {
  it("are the rules' code, shown in single backticks", () => {
    expect(SANDBOX_PYTHON_SNIPPETS.length).toBeGreaterThan(20);
    expect(SANDBOX_PYTHON_RULES).not.toContain("``");
    for (const snippet of SANDBOX_PYTHON_SNIPPETS) {
      expect(SANDBOX_PYTHON_RULES).toContain(`\`${snippet}\``);
    }
  });

  it("each has its setup here, and the setup imports nothing", () => {
    expect(Object.keys(GIVEN).sort()).toEqual([...new Set(SANDBOX_PYTHON_SNIPPETS)].sort());
    for (const [snippet, given] of Object.entries(GIVEN)) {
      expect(given.setup ?? "", snippet).not.toMatch(/\bimport\b/);
    }
  });

  it("marks every alternative the rules offer after `->` that is more than a name", () => {
    const bare = /^\w+(\(\))?$/; // `if`, `0x`, `isinstance()`: names, not programs
    for (const line of SANDBOX_PYTHON_RULES.split("\n").filter((l) => l.includes(" -> "))) {
      const after = line.slice(line.indexOf(" -> ") + 4);
      for (const [, span] of after.matchAll(/`([^`\n]+)`/g)) {
        if (!bare.test(span!)) expect(SANDBOX_PYTHON_SNIPPETS, line).toContain(span);
      }
    }
  });

  it.each([...new Set(SANDBOX_PYTHON_SNIPPETS)])("%s type-checks and runs", async (snippet) => {
    const given = GIVEN[snippet];
    if (!given) throw new Error(`no setup for snippet ${snippet}`);
    const code = [given.setup, snippet, given.after].filter((p) => p !== undefined).join("\n");
    const result = await execute(code, { tools: TOOLS, typeCheck: true });
    if (!result.ok) throw new Error(`${result.error.type}: ${result.error.message}\n${code}`);
    expect(result.value).toEqual(given.expected);
  });

  it("a snippet copied without its import would fail: the check is real", async () => {
    const result = await execute('re.sub(r"a", "b", "a")', { tools: TOOLS, typeCheck: true });
    expect(result.ok).toBe(false);
  });
});
