/**
 * What Python the sandbox runs, measured through the public door. The prompt's rules
 * (`SANDBOX_PYTHON_RULES`) are checked against `SANDBOX_PYTHON_FACTS`, and every fact's
 * example is run here, so the prompt never claims what the sandbox cannot do.
 */
import { afterAll, describe, expect, it } from "vitest";
import { closeDefaultSandboxPool, execute, type Isolation } from "../../src/index.js";
import { SANDBOX_PYTHON_RULES } from "../../src/sandbox/python-rules.js";
import { expectError, expectOk } from "../helpers/results.js";
import { SANDBOX_PYTHON_FACTS, type SandboxPythonFact } from "./python-facts.js";

// The tools fact examples may call (see the doc comment of python-facts.ts).
function square(x: number) {
  return x * x;
}
function add(a: number, b: number) {
  return a + b;
}
function positive(x: number) {
  if (x < 0) throw new Error(`negative: ${x}`);
  return x;
}
const TOOLS = [square, add, positive];

afterAll(() => closeDefaultSandboxPool());

type Tools = NonNullable<Parameters<typeof execute>[1]>["tools"];

function run(code: string, tools: Tools = TOOLS, isolation: Isolation = "in-process") {
  return execute(code, { tools, isolation });
}

/** Runs code and returns its value, or `{ error: type }` when it fails. */
async function outcome(code: string): Promise<unknown> {
  const result = await run(code);
  return result.ok ? result.value : { error: result.error.type };
}

const codeSpans = (text: string) => [...text.matchAll(/`[^`\n]+`/g)].map((m) => m[0]);

describe("SANDBOX_PYTHON_FACTS", () => {
  it("has unique ids and claims, and each fact is well formed", () => {
    const ids = SANDBOX_PYTHON_FACTS.map((f) => f.id);
    expect(new Set(ids).size).toBe(ids.length);
    const claims = SANDBOX_PYTHON_FACTS.map((f) => f.claim);
    expect(new Set(claims).size).toBe(claims.length);
    for (const f of SANDBOX_PYTHON_FACTS) {
      expect(f.id, f.id).toMatch(/^[a-z0-9-]+$/);
      expect(f.construct.length, f.id).toBeGreaterThan(0);
      expect(f.example.length, f.id).toBeGreaterThan(0);
      if (f.works) {
        expect("expected" in f, `${f.id} needs expected`).toBe(true);
        expect(f.error ?? f.silentlyWrong, f.id).toBeUndefined();
      } else {
        // Exactly one way of not working: an error, or a silently wrong answer.
        expect(f.error === undefined, f.id).not.toBe(f.silentlyWrong === undefined);
        expect("expected" in f, f.id).toBe(false);
      }
    }
  });

  // The default isolation ("process", a worker pool) is what prompted programs mostly use.
  describe.each<Isolation>(["in-process", "process"])("with isolation %s", (isolation) => {
    it.each(SANDBOX_PYTHON_FACTS.map((f) => [f.id, f] as const))(
      "%s behaves as the fact says",
      async (_id, f: SandboxPythonFact) => {
        const result = await run(f.example, TOOLS, isolation);
        if (f.works) {
          expect(expectOk(result)).toEqual(f.expected);
          if (f.output !== undefined) expect(result.output).toBe(f.output);
        } else if (f.silentlyWrong) {
          const value = expectOk(result);
          expect(value).toEqual(f.silentlyWrong.actual);
          expect(value).not.toEqual(f.silentlyWrong.expected);
        } else {
          expect(expectError(result).type).toBe(f.error);
        }
      },
    );
  });
});

describe("SANDBOX_PYTHON_RULES", () => {
  const lines = SANDBOX_PYTHON_RULES.split("\n");
  const bullets = lines.filter((l) => l.startsWith("- "));

  it("is a titled block of a few dozen lines", () => {
    expect(lines[0]).toBe("Sandbox Python rules:");
    expect(lines.length).toBeGreaterThanOrEqual(20);
    expect(lines.length).toBeLessThanOrEqual(40);
    for (const line of lines.slice(1)) {
      expect(line.startsWith("- ") || line.endsWith(":"), line).toBe(true);
    }
  });

  it.each(SANDBOX_PYTHON_FACTS.map((f) => [f.id, f.claim] as const))(
    "states the claim of %s",
    (_id, claim) => {
      expect(SANDBOX_PYTHON_RULES).toContain(claim);
    },
  );

  it("makes no claim that no fact backs: every bullet and every code span is in a claim", () => {
    const claims = SANDBOX_PYTHON_FACTS.map((f) => f.claim);
    for (const bullet of bullets) {
      const backing = claims.filter((c) => bullet.includes(c));
      expect(backing.length, `unbacked bullet: ${bullet}`).toBeGreaterThan(0);
      for (const span of codeSpans(bullet)) {
        expect(
          backing.some((c) => c.includes(span)),
          `code span ${span} in "${bullet}" is in no fact's claim`,
        ).toBe(true);
      }
    }
  });

  it("lists what fails under the headings that say so", () => {
    const notSupported = lines.indexOf("Not supported (raises an error) -> do this instead:");
    const silentlyWrong = lines.indexOf("Silently wrong (no error, wrong answer) -> avoid:");
    expect(notSupported).toBeGreaterThan(0);
    expect(silentlyWrong).toBeGreaterThan(notSupported);
    const section = (claim: string) => {
      const at = lines.findIndex((l) => l.includes(claim));
      return at > silentlyWrong ? "silent" : at > notSupported ? "unsupported" : "general";
    };
    for (const f of SANDBOX_PYTHON_FACTS) {
      // A silently wrong construct is only ever described under its own heading.
      if (f.silentlyWrong) expect(section(f.claim), f.id).toBe("silent");
    }
    // Each "->" line pairs a construct that fails with a working alternative.
    for (const bullet of bullets.filter((b) => b.includes(" -> "))) {
      const parts = bullet.split(" -> ");
      expect(parts.length, `one "->" per line: ${bullet}`).toBe(2);
      const [before, after] = parts as [string, string];
      const inBefore = SANDBOX_PYTHON_FACTS.filter((f) => before.includes(f.claim));
      const inAfter = SANDBOX_PYTHON_FACTS.filter((f) => after.includes(f.claim));
      expect(inBefore.length, bullet).toBeGreaterThan(0);
      expect(
        inBefore.every((f) => !f.works),
        `${bullet}: left of -> must fail`,
      ).toBe(true);
      expect(
        inAfter.some((f) => f.works),
        `${bullet}: right of -> needs a working alternative`,
      ).toBe(true);
    }
  });

  it("is exported from the package entry point", async () => {
    const entry = await import("../../src/index.js");
    expect(entry.SANDBOX_PYTHON_RULES).toBe(SANDBOX_PYTHON_RULES);
  });
});

describe("constructs the rules talk about, one by one", () => {
  const cases: [name: string, code: string, expected: unknown][] = [
    // Not supported: raises.
    ["class", "class A:\n    pass\n1", { error: "NotImplementedError" }],
    ["match", "match 1:\n    case 1:\n        r = 1\nr", { error: "NotImplementedError" }],
    ["yield", "def g():\n    yield 1\nlist(g())", { error: "NotImplementedError" }],
    ["yield from", "def g():\n    yield from [1]\nlist(g())", { error: "NotImplementedError" }],
    ["del name", "x = 1\ndel x\n1", { error: "NotImplementedError" }],
    ["del list item", "xs = [1, 2]\ndel xs[0]\nxs", { error: "NotImplementedError" }],
    ["str.format", "'{a}'.format(a=1)", { error: "AttributeError" }],
    ["str.format_map", "'{a}'.format_map({'a': 1})", { error: "AttributeError" }],
    ["%s with a tuple", "'%s-%s' % ('a', 'b')", { error: "TypeError" }],
    ["%(name)s with a dict", "'%(a)s' % {'a': 1}", { error: "TypeError" }],
    ["f-string ,.2f", "f'{1234.5:,.2f}'", { error: "SyntaxError" }],
    ["enumerate(start=0)", "list(enumerate('ab', start=0))", { error: "TypeError" }],
    ["int(s, 2)", "int('101', 2)", { error: "TypeError" }],
    ["int(s, base=16)", "int('ff', base=16)", { error: "TypeError" }],
    ["int(s, 0)", "int('0xff', 0)", { error: "TypeError" }],
    ["True + True", "True + True", { error: "TypeError" }],
    ["sum of a bool list", "sum([True, False, True])", { error: "TypeError" }],
    ["bound list method", "xs = []\nf = xs.append\nf(1)\nxs", { error: "AttributeError" }],
    ["map(str.upper)", "list(map(str.upper, ['a']))", { error: "AttributeError" }],
    ["min of lists", "min([[2], [1]])", { error: "TypeError" }],
    ["sorted of lists", "sorted([[1, 3], [1, 2]])", { error: "TypeError" }],
    ["dataclasses", "import dataclasses\n1", { error: "ModuleNotFoundError" }],
    ["os.getenv", "import os\nos.getenv('HOME')", { error: "RuntimeError" }],
    ["os.listdir", "import os\nos.listdir('.')", { error: "AttributeError" }],
    ["socket", "import socket\n1", { error: "ModuleNotFoundError" }],
    ["subprocess", "import subprocess\n1", { error: "ModuleNotFoundError" }],
    [
      "Path.read_text",
      "from pathlib import Path\nPath('/etc/hostname').read_text()",
      { error: "PermissionError" },
    ],
    [
      "datetime.datetime.now",
      "import datetime\ndatetime.datetime.now()",
      { error: "RuntimeError" },
    ],
    ["with on a non-context-manager", "with 1:\n    pass\n1", { error: "TypeError" }],
    ["print(file=)", "import sys\nprint('x', file=sys.stderr)", { error: "TypeError" }],
    ["locals()", "locals()", { error: "NameError" }],
    ["super()", "super()", { error: "NameError" }],
    ["object()", "object()", { error: "NameError" }],
    ["a user-defined exception name", "raise MyError('x')", { error: "NameError" }],
    ["math.dist", "import math\nmath.dist([0, 0], [3, 4])", { error: "AttributeError" }],
    ["json.dump", "import json\njson.dump({}, None)", { error: "AttributeError" }],

    // Silently wrong.
    // CPython gives 2.67 (2.675 is stored as 2.67499...); Monty rounds the decimal text.
    ["round of a binary-inexact half", "round(2.675, 2)", 2.68],
    [
      "decorator with arguments",
      "def times(n):\n    return lambda f: (lambda x: f(x) * n)\n@times(3)\ndef g(x):\n    return x\ng(2)",
      2,
    ],
    ["decorator naming nothing", "@nowhere\ndef g(x):\n    return x\ng(2)", 2],
    ["frozenset <=", "frozenset([1]) <= frozenset([1, 2])", false],
    ["set >=", "{1, 2} >= {1}", false],
    ["set < on a proper subset", "{1} < {1, 2}", false],
    ["list <", "[1] < [2]", false],
    ["hasattr on a dict method", "hasattr({}, 'items')", false],

    // Works.
    ["hasattr on a module", "import math\nhasattr(math, 'sqrt')", true],
    ["getattr for a data attribute", "getattr(ValueError('x'), 'args')", ["x"]],
    ["getattr with a default", "getattr(1, 'nope', 5)", 5],
    ["a module function as a value", "import math\nlist(map(math.sqrt, [4, 9]))", [2, 3]],
    [
      "a builtin as a value",
      "[list(map(len, ['ab', 'c'])), sorted(['10', '9'], key=int)]",
      [
        [2, 1],
        ["9", "10"],
      ],
    ],
    ["set equality", "[{1, 2} == {2, 1}, {1} != {1, 2}]", [true, true]],
    [
      "set operators",
      "a, b = {1, 2}, {2, 3}\n[sorted(a | b), sorted(a & b), sorted(a - b), sorted(a ^ b)]",
      [[1, 2, 3], [2], [1], [1, 3]],
    ],
    [
      "set methods",
      "s = set()\ns.add(1)\ns.update([2, 3])\ns.discard(1)\n[sorted(s), 2 in s, {1}.isdisjoint({2})]",
      [[2, 3], true, true],
    ],
    ["list equality", "[[1, 2] == [1, 2], [1] != [2]]", [true, true]],
    [
      "tuple ordering",
      "[(1, 2) < (1, 3), sorted([(2, 'a'), (1, 'b')])]",
      [
        true,
        [
          [1, "b"],
          [2, "a"],
        ],
      ],
    ],
    [
      "string ordering",
      "['apple' < 'banana', 'Zebra' < 'apple', sorted(['b', 'B', 'a'])]",
      [true, true, ["B", "a", "b"]],
    ],
    ["int() of a bool", "int(True) + 1", 2],
    ["isinstance(True, int)", "isinstance(True, int)", true],
    ["int and float parsing", "[int(' 42 '), int('-5'), float('3.5'), int(3.7)]", [42, -5, 3.5, 3]],
    [
      "f-string alignment and fill",
      "[f'{\"ab\":<5}|', f'{\"ab\":^6}|', f'{3:*^7}', f'{3.14159:10.2f}|']",
      ["ab   |", "  ab  |", "***3***", "      3.14|"],
    ],
    [
      "f-string numeric specs",
      "[f'{255:x}', f'{5:b}', f'{12345.678:.2e}', f'{3:+d}', f'{1234.5:g}', f'{3.14159:08.3f}']",
      ["ff", "101", "1.23e+04", "+3", "1234.5", "0003.142"],
    ],
    ["f-string nested spec", "w = 6\nf'{3:>{w}}'", "     3"],
    ["print sep and end", "print('a', 'b', sep='-', end='!')\nprint(1)", null],
    ["sum of a generator", "sum(x for x in [1, 2, 3] if x > 1)", 5],
    ["sum with a start", "sum([1, 2], 10)", 13],
    [
      "top five by value",
      "d = {'a': 3, 'b': 1, 'c': 2, 'd': 5, 'e': 4, 'f': 0}\nsorted(d.items(), key=lambda kv: kv[1], reverse=True)[:5]",
      [
        ["d", 5],
        ["e", 4],
        ["a", 3],
        ["c", 2],
        ["b", 1],
      ],
    ],
    [
      "round",
      "[round(3.14159, 2), round(2.5), round(3.5), round(1234, -2), round(2/3, 2)]",
      [3.14, 2, 4, 1200, 0.67],
    ],
    [
      "divmod and pow",
      "[divmod(17, 5), pow(2, 10), pow(2, 10, 1000), 2 ** 0.5]",
      [[3, 2], 1024, 24, Math.SQRT2],
    ],
    ["hex, bin, chr, ord", "[hex(255), bin(5), chr(65), ord('a')]", ["0xff", "0b101", "A", 97]],
    ["reversed", "[list(reversed([1, 2, 3])), ''.join(reversed('abc'))]", [[3, 2, 1], "cba"]],
    [
      "map and filter",
      "[list(map(lambda x: x * 2, [1, 2])), list(filter(None, [0, 1, 2])), list(map(str, [1, 2]))]",
      [
        [2, 4],
        [1, 2],
        ["1", "2"],
      ],
    ],
    [
      "type()",
      "[type(1).__name__, type('a') == str, str(type([]))]",
      ["int", true, "<class 'list'>"],
    ],
    ["str * int and list * int", "['ab' * 3, [0] * 3, 'a' * 0]", ["ababab", [0, 0, 0], ""]],
    [
      "abs, any, all, min, max",
      "[abs(-3), any([0, 1]), all([1, 0]), min(3, 1, 2), max([4, 5]), max([], default=0)]",
      [3, true, false, 1, 5, 0],
    ],
    [
      "zip",
      "[list(zip([1, 2], [3, 4])), list(zip([1, 2, 3], [4])), dict(zip('ab', [1, 2]))]",
      [
        [
          [1, 3],
          [2, 4],
        ],
        [[1, 4]],
        { a: 1, b: 2 },
      ],
    ],
    [
      "comprehensions",
      "[[x for x in range(5) if x % 2], {k: k * 2 for k in range(2)}, sorted({x % 3 for x in range(9)}), [(a, b) for a in range(2) for b in range(2)]]",
      [
        [1, 3],
        { 0: 0, 1: 2 },
        [0, 1, 2],
        [
          [0, 0],
          [0, 1],
          [1, 0],
          [1, 1],
        ],
      ],
    ],
    [
      "try/except/else/finally",
      "log = []\ntry:\n    x = 1\nexcept Exception:\n    log.append('except')\nelse:\n    log.append('else')\nfinally:\n    log.append('finally')\nlog",
      ["else", "finally"],
    ],
    [
      "raise, re-raise, raise from",
      "try:\n    try:\n        1 / 0\n    except ZeroDivisionError as e:\n        raise ValueError('wrapped') from e\nexcept ValueError as e:\n    r = [type(e).__name__, str(e), e.args[0]]\nr",
      ["ValueError", "wrapped", "wrapped"],
    ],
    [
      "except with a tuple and bare except",
      "try:\n    int('x')\nexcept (ValueError, TypeError):\n    a = 1\ntry:\n    {}['k']\nexcept:\n    b = 2\n[a, b]",
      [1, 2],
    ],
    ["assert", "assert 1 == 2, 'nope'", { error: "AssertionError" }],
    [
      "global and nonlocal",
      "n = 0\ndef inc():\n    global n\n    n += 1\ndef outer():\n    c = 0\n    def bump():\n        nonlocal c\n        c += 1\n    bump()\n    bump()\n    return c\ninc()\n[n, outer()]",
      [1, 2],
    ],
    [
      "*args, **kwargs, defaults, keyword-only",
      "def f(a, b=2, *args, c=3, **kw):\n    return [a, b, list(args), c, sorted(kw)]\nf(1, 5, 6, c=7, z=0)",
      [1, 5, [6], 7, ["z"]],
    ],
    ["star call", "def f(a, b, c):\n    return a + b + c\nf(*[1, 2], **{'c': 3})", 6],
    [
      "lambda and closure",
      "def mk(n):\n    return lambda x, y=1: x * y + n\n[mk(3)(4), mk(0)(2, 5)]",
      [7, 10],
    ],
    ["walrus", "[y for x in range(5) if (y := x * 2) > 4]", [6, 8]],
    [
      "ternary and chained comparison",
      "['a' if 1 > 2 else 'b', 1 < 2 < 3, 3 > 2 > 2]",
      ["b", true, false],
    ],
    [
      "slicing",
      "[[1, 2, 3, 4][1:3], 'hello'[::-1], [1, 2, 3][-1], list(range(10))[::3]]",
      [[2, 3], "olleh", 3, [0, 3, 6, 9]],
    ],
    [
      "str methods",
      "[' a b '.split(), ','.join(['a', 'b']), ' x '.strip(), 'aa'.replace('a', 'b'), 'ab'.upper(), 'ab'.startswith('a'), '7'.zfill(3), 'a'.ljust(3, '*'), 'a'.rjust(3), 'a'.center(3), 'hello world'.title()]",
      [["a", "b"], "a,b", "x", "bb", "AB", true, "007", "a**", "  a", " a ", "Hello World"],
    ],
    [
      "more str methods",
      "['a b c'.split(' ', 1), 'abc'.find('c'), 'aab'.count('a'), 'a-b-c'.rsplit('-', 1), 'a b'.partition(' '), '12'.isdigit(), 'abc'.removeprefix('a'), 'ab'.endswith('b')]",
      [["a", "b c"], 2, 2, ["a-b", "c"], ["a", " ", "b"], true, "bc", true],
    ],
    [
      "list methods",
      "l = [3, 1, 2]\nl.sort()\nl.reverse()\np = l.pop()\nl.insert(0, 9)\nl.extend([7])\nl.remove(3)\n[l, p, l.index(9), l.count(7), sorted([3, 1, 2], reverse=True)]",
      [[9, 2, 7], 1, 0, 1, [3, 2, 1]],
    ],
    [
      "dict methods",
      "d = {'a': 1}\nd.setdefault('b', []).append(2)\nd.update({'c': 3})\np = d.pop('a')\n[d.get('z', 0), list(d.items()), p, list(d.keys()), d.pop('z', None), dict.fromkeys('xy', 0)]",
      [
        0,
        [
          ["b", [2]],
          ["c", 3],
        ],
        1,
        ["b", "c"],
        null,
        { x: 0, y: 0 },
      ],
    ],
    [
      "tuple unpacking",
      "a, b = 1, 2\na, b = b, a\nx, *rest = [1, 2, 3]\n[a, b, x, rest, [k + str(v) for k, v in {'k': 1}.items()]]",
      [2, 1, 1, [2, 3], ["k1"]],
    ],
    [
      "nested functions and recursion",
      "def fib(n):\n    def step(k):\n        return k if k < 2 else fib(k - 1) + fib(k - 2)\n    return step(n)\nfib(15)",
      610,
    ],
    [
      "while, break, continue, for-else",
      "i, r = 0, []\nwhile True:\n    i += 1\n    if i % 2:\n        continue\n    if i > 6:\n        break\n    r.append(i)\nfor j in range(2):\n    pass\nelse:\n    r.append('done')\nr",
      [2, 4, 6, "done"],
    ],
    ["iter and next", "it = iter([1, 2])\n[next(it), next(it), next(it, None)]", [1, 2, null]],
    ["top-level return ends the program", "return 5\n6", 5],
    [
      "async def and await inside Python",
      "import asyncio\nasync def double(x):\n    return x * 2\nasync def main():\n    return await asyncio.gather(double(1), double(2))\n[asyncio.run(main()), await double(5)]",
      [[2, 4], 10],
    ],
    [
      "json options",
      "import json\n[json.dumps({'b': 1, 'a': 2}, sort_keys=True), json.dumps({'a': 1}, indent=2), json.dumps({'a': 1}, separators=(',', ':'))]",
      ['{"a": 2, "b": 1}', '{\n  "a": 1\n}', '{"a":1}'],
    ],
    [
      "re extras",
      "import re\np = re.compile(r'(?P<n>\\d+)')\n[p.search('ab 12').group('n'), bool(re.fullmatch(r'\\d+', '12')), re.split(r',\\s*', 'a, b,c'), bool(re.search('A', 'a', re.IGNORECASE)), re.findall(r'(\\w)=(\\d)', 'a=1 b=2')]",
      [
        "12",
        true,
        ["a", "b", "c"],
        true,
        [
          ["a", "1"],
          ["b", "2"],
        ],
      ],
    ],
    [
      "datetime extras",
      "from datetime import datetime, timedelta, timezone\n[datetime.strptime('2024-03-01', '%Y-%m-%d').day, timedelta(hours=1).total_seconds(), datetime(2024, 1, 1, tzinfo=timezone.utc).isoformat()]",
      [1, 3600, "2024-01-01T00:00:00+00:00"],
    ],
    [
      "math extras",
      "import math\n[math.pi > 3, math.gcd(12, 8), math.lcm(4, 6), math.factorial(5), math.comb(5, 2), math.isqrt(17), math.log(8, 2), math.inf > 1]",
      [true, 4, 12, 120, 10, 4, 3, true],
    ],
    ["sys", "import sys\nsys.version", "3.14.0 (Monty)"],
    [
      "a caught ModuleNotFoundError",
      "try:\n    import collections\n    r = 'yes'\nexcept ImportError:\n    r = 'no'\nr",
      "no",
    ],
  ];

  it.each(cases)("%s", async (_name, code, expected) => {
    expect(await outcome(code)).toEqual(expected);
  });

  it("prints go to output, not the result", async () => {
    const result = await run("print('a', 'b', sep='-', end='!')\nprint(1, None, (1, 2))\n'done'");
    expect(expectOk(result)).toBe("done");
    expect(result.output).toBe("a-b!1 None (1, 2)\n");
  });

  it("dicts, tuples and sets come back as plain JS", async () => {
    expect(await outcome("{'a': (1, 2), 's': {3}, 'n': None}")).toEqual({
      a: [1, 2],
      s: [3],
      n: null,
    });
  });
});

describe("parallel_map on the host", () => {
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it("runs calls concurrently, keeps input order, and honours concurrency", async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    async function slow(x: number) {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await sleep(60 - x * 10); // later inputs finish first
      inFlight -= 1;
      return x * 10;
    }
    const all = await run("parallel_map(slow, range(5))", [slow]);
    expect(expectOk(all)).toEqual([0, 10, 20, 30, 40]);
    expect(maxInFlight).toBe(5);

    maxInFlight = 0;
    const capped = await run("parallel_map(slow, range(5), concurrency=2)", [slow]);
    expect(expectOk(capped)).toEqual([0, 10, 20, 30, 40]);
    expect(maxInFlight).toBe(2);
  });

  it("plain calls from a loop run one at a time", async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    async function slow(x: number) {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await sleep(5);
      inFlight -= 1;
      return x;
    }
    const result = await run("[slow(i) for i in range(3)]", [slow]);
    expect(expectOk(result)).toEqual([0, 1, 2]);
    expect(maxInFlight).toBe(1);
  });

  it("a tool is also a value: assigned to a name it can still be called", async () => {
    expect(await outcome("f = square\n[f(4), parallel_map(f, [2])]")).toEqual([16, [4]]);
  });

  it("an unknown tool name is a NameError that lists the tools", async () => {
    const result = await run("nope(1)");
    const error = expectError(result);
    expect(error.type).toBe("NameError");
    expect(error.message).toContain("square");
  });

  it("the exceptions in return_exceptions slots can be raised again", async () => {
    const code = [
      "rs = parallel_map(positive, [-1], return_exceptions=True)",
      "try:",
      "    raise rs[0]",
      "except Exception as e:",
      "    r = [type(e).__name__, str(e)]",
      "r",
    ].join("\n");
    expect(await outcome(code)).toEqual(["RuntimeError", "negative: -1"]);
  });
});
