/**
 * The measured facts behind the prompt's `SANDBOX_PYTHON_RULES`: every claim the rules make,
 * each with a tiny program showing it. `python-capabilities.test.ts` runs every example
 * through `execute()` and checks that every claim (and every code span) of the rules is
 * backed by a fact, so the prompt never promises what the sandbox cannot do.
 *
 * Examples may call three tools the test provides: `square(x)` returns `x * x`,
 * `add(a, b)` returns `a + b`, and `positive(x)` returns `x` or, for `x < 0`, throws
 * `Error("negative: <x>")` (a `RuntimeError` in Python).
 */

export interface SandboxPythonFact {
  /** Stable, kebab-case. */
  id: string;
  /** The construct, in a few words. */
  construct: string;
  /** True when the construct runs and gives the answer CPython gives. */
  works: boolean;
  /** Text that appears verbatim in `SANDBOX_PYTHON_RULES`. */
  claim: string;
  /** A tiny Python program demonstrating the construct. */
  example: string;
  /** `works: true`: the example's result, as `execute()` returns it. */
  expected?: unknown;
  /** `works: true`: what the example prints, when that is the point. */
  output?: string;
  /** `works: false`, raising: the Python exception type the example ends with. */
  error?: string;
  /** `works: false`, no error: what CPython answers and what the sandbox answers instead. */
  silentlyWrong?: { expected: unknown; actual: unknown };
}

const fact = (f: SandboxPythonFact): SandboxPythonFact => Object.freeze(f);

/** Every claim of `SANDBOX_PYTHON_RULES`, with a program that shows it. */
export const SANDBOX_PYTHON_FACTS: readonly SandboxPythonFact[] = Object.freeze([
  // --- What the sandbox can reach.
  fact({
    id: "no-files",
    construct: "open()",
    works: false,
    claim: "`open()`",
    example: "with open('data.txt') as f:\n    text = f.read()\ntext",
    error: "PermissionError",
  }),
  fact({
    id: "no-network",
    construct: "network modules",
    works: false,
    claim: "the network",
    example: "import urllib.request\n1",
    error: "ModuleNotFoundError",
  }),
  fact({
    id: "no-environment",
    construct: "os.environ",
    works: false,
    claim: "`os.environ`",
    example: "import os\nos.environ.get('HOME')",
    error: "RuntimeError",
  }),
  fact({
    id: "no-clock",
    construct: "datetime.now()",
    works: false,
    claim: "`datetime.now()`",
    example: "from datetime import datetime\ndatetime.now()",
    error: "RuntimeError",
  }),
  fact({
    id: "no-today",
    construct: "date.today()",
    works: false,
    claim: "`date.today()`",
    example: "from datetime import date\ndate.today()",
    error: "RuntimeError",
  }),

  // --- The result, tools, parallel_map, print.
  fact({
    id: "last-expression",
    construct: "last expression is the result",
    works: true,
    claim: 'end with an expression such as `{"total": total, "top": top}` (no `return` needed)',
    example: "total = 3 + 4\ntop = ['a']\n{'total': total, 'top': top}",
    expected: { total: 7, top: ["a"] },
  }),
  fact({
    id: "last-statement-none",
    construct: "last line a statement",
    works: true,
    claim: "If the last line is an assignment, loop or `if`, the result is `None`.",
    example: "x = 1\nif x:\n    y = x + 1",
    expected: null,
  }),
  fact({
    id: "tool-call",
    construct: "tool as a plain function",
    works: true,
    claim:
      "Call tools as plain functions, positionally or by keyword: `get_user(3)`, `user = get_user(id=3)`.",
    example: "y = square(x=3)\ny + add(1, 2) + add(a=1, b=2) + add(1, b=2)",
    expected: 18,
  }),
  fact({
    id: "tool-await",
    construct: "await tool(...)",
    works: false,
    claim: "never `await` them",
    example: "await square(3)",
    error: "TypeError",
  }),
  fact({
    id: "tool-error",
    construct: "tool errors are exceptions",
    works: true,
    claim: "`except Exception as e:` catches it and `str(e)` is its message",
    example:
      "try:\n    positive(-1)\n    r = 'no error'\nexcept Exception as e:\n    r = str(e)\nr",
    expected: "negative: -1",
  }),
  fact({
    id: "parallel-map",
    construct: "parallel_map(tool, iterable)",
    works: true,
    claim:
      "`parallel_map(tool, *iterables, concurrency=None, return_exceptions=False, **kwargs)` runs one tool over many inputs concurrently on the host; results come back in input order: `users = parallel_map(get_user, ids)`.",
    example: "parallel_map(square, [3, 1, 2], concurrency=None, return_exceptions=False)",
    expected: [9, 1, 4],
  }),
  fact({
    id: "parallel-map-kwargs",
    construct: "parallel_map with keyword arguments for every call",
    works: true,
    claim: "Other keyword arguments go to every call: `parallel_map(add, xs, b=10)`.",
    example: "xs = [1, 2]\n[parallel_map(add, xs, b=10), parallel_map('add', [5], b=1)]",
    expected: [[11, 12], [6]],
  }),
  fact({
    id: "parallel-map-by-name",
    construct: "parallel_map with the tool's name",
    works: true,
    claim: 'Pass the tool itself or its name: `parallel_map("get_user", ids)`.',
    example: "parallel_map('square', [1, 2])",
    expected: [1, 4],
  }),
  fact({
    id: "parallel-map-iterables",
    construct: "parallel_map over any iterable",
    works: true,
    claim: "Any iterable works (list, `range`, `d.values()`, a generator)",
    example:
      "d = {'a': 4}\n[parallel_map(square, range(3)), parallel_map(square, d.values()), parallel_map(square, (x + 1 for x in [1, 2]))]",
    expected: [[0, 1, 4], [16], [4, 9]],
  }),
  fact({
    id: "parallel-map-zip",
    construct: "parallel_map over several iterables",
    works: true,
    claim: "several iterables give several positional arguments: `parallel_map(add, xs, ys)`",
    example: "xs = [1, 2]\nys = [10, 20]\nparallel_map(add, xs, ys)",
    expected: [11, 22],
  }),
  fact({
    id: "parallel-map-concurrency",
    construct: "parallel_map(concurrency=)",
    works: true,
    claim: "`concurrency=4` caps the calls in flight.",
    example: "parallel_map(square, range(6), concurrency=4)",
    expected: [0, 1, 4, 9, 16, 25],
  }),
  fact({
    id: "parallel-map-python-function",
    construct: "parallel_map over a Python function",
    works: false,
    claim: "Only tools can be mapped; for a Python function or a lambda use a list comprehension.",
    example: "parallel_map(lambda x: x + 1, [1, 2])",
    error: "TypeError",
  }),
  fact({
    id: "parallel-map-raises",
    construct: "parallel_map failure",
    works: true,
    claim: "Without `return_exceptions`, the first failure raises.",
    example:
      "try:\n    r = parallel_map(positive, [1, -2, 3])\nexcept Exception as e:\n    r = 'raised ' + str(e)\nr",
    expected: "raised negative: -2",
  }),
  fact({
    id: "parallel-map-return-exceptions",
    construct: "parallel_map(return_exceptions=True)",
    works: true,
    claim:
      "With `return_exceptions=True` a failed slot holds the exception object: test it with `isinstance(r, Exception)`.",
    example:
      "rs = parallel_map(positive, [1, -2, 3], return_exceptions=True)\n[str(r) if isinstance(r, Exception) else r for r in rs]",
    expected: [1, "negative: -2", 3],
  }),
  fact({
    id: "asyncio-gather-tools",
    construct: "asyncio.gather over tool calls",
    works: false,
    claim:
      "`parallel_map` is the way to run tools concurrently: `asyncio.gather(tool(a), tool(b))` raises.",
    example: "import asyncio\nawait asyncio.gather(square(1), square(2))",
    error: "TypeError",
  }),
  fact({
    id: "print-captured",
    construct: "print()",
    works: true,
    claim:
      "`print()` is for debugging only: its output is captured separately and is not the result.",
    example: "print('checking', 2, sep=': ')\n{'ok': True}",
    expected: { ok: true },
    output: "checking: 2\n",
  }),
  fact({
    id: "works-as-usual",
    construct: "everyday Python",
    works: true,
    claim:
      "Works as usual: comprehensions, generator expressions, lambdas, closures, `*args`/`**kwargs`, `try`/`except`/`finally`, `:=`, `sorted(..., key=..., reverse=True)`, `zip`, `min`/`max` with `key`, `round`, `divmod`, string, list and dict methods.",
    example: [
      "def total(*args, **kwargs):",
      "    return sum(args) + sum(kwargs.values())",
      "def adder(n):",
      "    return lambda x: x + n",
      "try:",
      "    1 / 0",
      "except ZeroDivisionError:",
      "    caught = True",
      "finally:",
      "    done = True",
      "scores = {'a': 3, 'b': 9, 'c': 5}",
      "top = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)[:2]",
      "[",
      "    [x * x for x in range(4) if x % 2],",
      "    {k: v for k, v in zip('xy', [1, 2])},",
      "    sum(x for x in range(4)),",
      "    adder(2)(3), total(1, 2, c=3), caught and done,",
      "    [y for x in [1, 2, 3] if (y := x * 2) > 2],",
      "    top, min(['bb', 'a'], key=len), max(scores, key=lambda k: scores[k]),",
      "    round(3.14159, 2), divmod(17, 5),",
      "    ' A,b '.strip().lower().split(','), '-'.join(['x', 'y']).upper(),",
      "    {'k': 1}.get('z', 0),",
      "]",
    ].join("\n"),
    expected: [
      [1, 9],
      { x: 1, y: 2 },
      6,
      5,
      6,
      true,
      [4, 6],
      [
        ["b", 9],
        ["c", 5],
      ],
      "a",
      "b",
      3.14,
      [3, 2],
      ["a", "b"],
      "X-Y",
      0,
    ],
  }),

  // --- Modules.
  fact({
    id: "module-json",
    construct: "import json",
    works: true,
    claim: "`json`",
    example: "import json\n[json.dumps({'a': [1, None]}), json.loads('{\"b\": true}')]",
    expected: ['{"a": [1, null]}', { b: true }],
  }),
  fact({
    id: "module-math",
    construct: "import math",
    works: true,
    claim: "`math`",
    example:
      "import math\n[math.sqrt(16), math.floor(2.5), math.ceil(2.1), math.log10(100), math.isclose(0.1 + 0.2, 0.3)]",
    expected: [4, 2, 3, 2, true],
  }),
  fact({
    id: "module-re",
    construct: "import re",
    works: true,
    claim: "`re`",
    example:
      "import re\n[re.findall(r'\\d+', 'a1b22'), re.sub(r'\\s+', ' ', 'a   b'), re.search(r'(\\w+)@', 'me@x').group(1)]",
    expected: [["1", "22"], "a b", "me"],
  }),
  fact({
    id: "module-datetime",
    construct: "import datetime",
    works: true,
    claim: "`datetime`",
    example:
      "from datetime import date, datetime, timedelta\nd = date(2024, 1, 31) + timedelta(days=1)\n[d.isoformat(), (date(2024, 3, 1) - d).days, datetime.fromisoformat('2024-01-02T03:04:05').hour, d.strftime('%d/%m/%Y')]",
    expected: ["2024-02-01", 29, 3, "01/02/2024"],
  }),
  fact({
    id: "date-arithmetic",
    construct: "dates: parse, subtract, add a timedelta, compare, format",
    works: true,
    claim:
      'Dates: `from datetime import date; (date.fromisoformat("2025-03-01") - date(2025, 1, 31)).days`, `from datetime import date, timedelta; (date(2025, 1, 31) + timedelta(days=7)).isoformat()`; comparisons, `strftime()`, `weekday()` and `datetime.fromisoformat()` work too.',
    example:
      "from datetime import date, datetime, timedelta\nd = date.fromisoformat('2025-01-31')\n[(date(2025, 3, 1) - d).days, (d + timedelta(days=7)).isoformat(), d < date(2025, 2, 1), d.strftime('%Y-%m'), d.weekday(), datetime.fromisoformat('2025-01-31T10:00:00').hour]",
    expected: [29, "2025-02-07", true, "2025-01", 4, 10],
  }),
  fact({
    id: "module-typing",
    construct: "import typing",
    works: true,
    claim: "`typing`",
    example:
      "from typing import Any, Optional\ndef f(a: list[int], b: Optional[str] = None) -> Any:\n    return len(a)\nf([1, 2])",
    expected: 2,
  }),
  ...[
    "collections",
    "itertools",
    "functools",
    "statistics",
    "random",
    "time",
    "string",
    "copy",
    "decimal",
  ].map((name) =>
    fact({
      id: `module-${name}-missing`,
      construct: `import ${name}`,
      works: false,
      claim: `\`${name}\``,
      example: `import ${name}\n1`,
      error: "ModuleNotFoundError",
    }),
  ),
  fact({
    id: "count-with-get",
    construct: "counting without Counter",
    works: true,
    claim: "count with `counts[k] = counts.get(k, 0) + 1`",
    example: "counts = {}\nfor k in ['a', 'b', 'a']:\n    counts[k] = counts.get(k, 0) + 1\ncounts",
    expected: { a: 2, b: 1 },
  }),
  fact({
    id: "group-with-setdefault",
    construct: "grouping without defaultdict",
    works: true,
    claim: "group with `groups.setdefault(k, []).append(v)`",
    example:
      "groups = {}\nfor v in ['ab', 'ac', 'b']:\n    groups.setdefault(v[0], []).append(v)\ngroups",
    expected: { a: ["ab", "ac"], b: ["b"] },
  }),
  fact({
    id: "math-prod-missing",
    construct: "math.prod",
    works: false,
    claim: "`math` has no `prod`",
    example: "import math\nmath.prod([2, 3])",
    error: "AttributeError",
  }),
  fact({
    id: "math-fsum-missing",
    construct: "math.fsum",
    works: false,
    claim: "`fsum`",
    example: "import math\nmath.fsum([0.1, 0.2])",
    error: "AttributeError",
  }),
  fact({
    id: "math-hypot-missing",
    construct: "math.hypot",
    works: false,
    claim: "`hypot`",
    example: "import math\nmath.hypot(3, 4)",
    error: "AttributeError",
  }),
  fact({
    id: "re-sub-callable",
    construct: "re.sub with a function",
    works: false,
    claim: "`re.sub` takes no function as replacement",
    example: "import re\nre.sub(r'\\d', lambda m: m.group(0) * 2, 'a1')",
    error: "TypeError",
  }),
  fact({
    id: "re-finditer",
    construct: "re.finditer",
    works: true,
    claim: "loop over `re.finditer` instead",
    example: [
      "import re",
      "s = 'a1b22'",
      "out, last = [], 0",
      "for m in re.finditer(r'\\d+', s):",
      "    out.append(s[last:m.start()] + str(int(m.group()) * 2))",
      "    last = m.end()",
      "''.join(out) + s[last:]",
    ].join("\n"),
    expected: "a2b44",
  }),

  // --- Not supported, and what to do instead.
  fact({
    id: "class",
    construct: "class",
    works: false,
    claim: "`class`",
    example: "class Point:\n    def __init__(self, x):\n        self.x = x\nPoint(1).x",
    error: "NotImplementedError",
  }),
  fact({
    id: "dataclass",
    construct: "@dataclass",
    works: false,
    claim: "`@dataclass`",
    example: "from dataclasses import dataclass\n1",
    error: "ModuleNotFoundError",
  }),
  fact({
    id: "dict-record",
    construct: "dicts as records",
    works: true,
    claim: 'plain dicts such as `{"name": name, "score": score}`',
    example: "name, score = 'ann', 3\nrow = {'name': name, 'score': score}\nrow['score'] += 1\nrow",
    expected: { name: "ann", score: 4 },
  }),
  fact({
    id: "match",
    construct: "match statement",
    works: false,
    claim: "`match`",
    example: "x = 2\nmatch x:\n    case 1:\n        r = 'one'\n    case _:\n        r = 'other'\nr",
    error: "NotImplementedError",
  }),
  fact({
    id: "if-elif",
    construct: "if/elif",
    works: true,
    claim: "`if`/`elif`",
    example:
      "x = 2\nif x == 1:\n    r = 'one'\nelif x == 2:\n    r = 'two'\nelse:\n    r = 'other'\nr",
    expected: "two",
  }),
  fact({
    id: "yield",
    construct: "yield / generator functions",
    works: false,
    claim: "`yield`",
    example: "def gen():\n    yield 1\nlist(gen())",
    error: "NotImplementedError",
  }),
  fact({
    id: "build-list",
    construct: "building a list instead of yield",
    works: true,
    claim: "build and return a list",
    example:
      "def evens(n):\n    out = []\n    for i in range(n):\n        if i % 2 == 0:\n            out.append(i)\n    return out\nevens(5)",
    expected: [0, 2, 4],
  }),
  fact({
    id: "generator-expression",
    construct: "generator expressions",
    works: true,
    claim: "generator expressions such as `sum(x * x for x in xs)` work",
    example: "xs = [1, 2, 3]\nsum(x * x for x in xs)",
    expected: 14,
  }),
  fact({
    id: "del",
    construct: "del statement",
    works: false,
    claim: "`del`",
    example: "d = {'a': 1, 'b': 2}\ndel d['a']\nd",
    error: "NotImplementedError",
  }),
  fact({
    id: "pop",
    construct: "dict.pop / list.pop",
    works: true,
    claim: "`d.pop(key)`, `items.pop(i)`",
    example: "d = {'a': 1, 'b': 2}\nitems = [1, 2, 3]\nd.pop('a')\nitems.pop(0)\n[d, items]",
    expected: [{ b: 2 }, [2, 3]],
  }),
  fact({
    id: "str-format",
    construct: "str.format()",
    works: false,
    claim: "`str.format()`",
    example: "'{} items'.format(3)",
    error: "AttributeError",
  }),
  fact({
    id: "percent-format",
    construct: "%-formatting",
    works: false,
    claim: '`%`-formatting (`"%d" % n`)',
    example: "n = 3\n'%d items' % n",
    error: "TypeError",
  }),
  fact({
    id: "f-string-specs",
    construct: "f-strings with format specs",
    works: true,
    claim: 'f-strings: `f"{x:.2f}"`, `f"{s:>10}"`, `f"{n:05d}"`, `f"{r:.1%}"` work',
    example:
      "x, s, n, r = 3.14159, 'ab', 42, 0.256\n[f'{x:.2f}', f'{s:>10}', f'{n:05d}', f'{r:.1%}', f'{s!r}', f'{n=}']",
    expected: ["3.14", "        ab", "00042", "25.6%", "'ab'", "n=42"],
  }),
  fact({
    id: "format-spec-comma",
    construct: "f-string ',' spec",
    works: false,
    claim: 'Format specs with `,`, `_` or `#` (`f"{n:,}"`',
    example: "n = 1234567\nf'{n:,}'",
    error: "SyntaxError",
  }),
  fact({
    id: "format-spec-underscore",
    construct: "f-string '_' spec",
    works: false,
    claim: '`f"{n:_}"`',
    example: "n = 1234567\nf'{n:_}'",
    error: "SyntaxError",
  }),
  fact({
    id: "format-spec-alternate",
    construct: "f-string '#' spec",
    works: false,
    claim: '`f"{n:#x}"`',
    example: "n = 255\nf'{n:#x}'",
    error: "SyntaxError",
  }),
  fact({
    id: "thousands-with-re",
    construct: "thousands separators with re.sub",
    works: true,
    claim:
      'for thousands `import re; re.sub(r"(\\d)(?=(\\d{3})+(?!\\d))", r"\\1,", f"{x:.2f}")` (or `str(n)` for an int)',
    example: [
      "import re",
      "x, n = 1234567.891, -1234567",
      'money = re.sub(r"(\\d)(?=(\\d{3})+(?!\\d))", r"\\1,", f"{x:.2f}")',
      'count = re.sub(r"(\\d)(?=(\\d{3})+(?!\\d))", r"\\1,", str(n))',
      "[money, count]",
    ].join("\n"),
    expected: ["1,234,567.89", "-1,234,567"],
  }),
  fact({
    id: "hex-builtin",
    construct: "hex()",
    works: true,
    claim: "`hex(n)` for `0x`",
    example: "n = 255\n[hex(n), bin(5), oct(8)]",
    expected: ["0xff", "0b101", "0o10"],
  }),
  fact({
    id: "enumerate-start-keyword",
    construct: "enumerate(start=)",
    works: false,
    claim: "`enumerate(xs, start=1)`",
    example: "xs = ['a', 'b']\nlist(enumerate(xs, start=1))",
    error: "TypeError",
  }),
  fact({
    id: "enumerate-start-positional",
    construct: "enumerate(xs, 1)",
    works: true,
    claim: "`enumerate(xs, 1)`",
    example: "xs = ['a', 'b']\n[f'{i}. {x}' for i, x in enumerate(xs, 1)]",
    expected: ["1. a", "2. b"],
  }),
  fact({
    id: "int-base",
    construct: "int(s, base)",
    works: false,
    claim: "`int(s, 16)` (any base argument)",
    example: "int('ff', 16)",
    error: "TypeError",
  }),
  fact({
    id: "int-base-loop",
    construct: "parsing hex by hand",
    works: true,
    claim: 'a loop: `n = n * 16 + "0123456789abcdef".index(c)`',
    example: 'n = 0\nfor c in "FF".lower():\n    n = n * 16 + "0123456789abcdef".index(c)\nn',
    expected: 255,
  }),
  fact({
    id: "bool-arithmetic",
    construct: "True + 1",
    works: false,
    claim: "Arithmetic on bools (`True + 1`",
    example: "True + 1",
    error: "TypeError",
  }),
  fact({
    id: "sum-of-bools",
    construct: "sum of bools",
    works: false,
    claim: "`sum(x > 0 for x in xs)`",
    example: "xs = [1, -2, 3]\nsum(x > 0 for x in xs)",
    error: "TypeError",
  }),
  fact({
    id: "count-with-sum",
    construct: "counting with sum(1 for ...)",
    works: true,
    claim: "`sum(1 for x in xs if x > 0)`",
    example: "xs = [1, -2, 3]\nsum(1 for x in xs if x > 0)",
    expected: 2,
  }),
  fact({
    id: "bound-method-value",
    construct: "dict method as a value",
    works: false,
    claim: "Methods of `str`, `list` and `dict` as values (`key=d.get`",
    example: "d = {'a': 1, 'b': 3}\nmax(d, key=d.get)",
    error: "AttributeError",
  }),
  fact({
    id: "unbound-method-value",
    construct: "str.lower as a key",
    works: false,
    claim: "`key=str.lower`",
    example: "sorted(['b', 'A'], key=str.lower)",
    error: "AttributeError",
  }),
  fact({
    id: "getattr-method",
    construct: "getattr for a method",
    works: false,
    claim: '`getattr(s, "upper")`',
    example: "s = 'a'\ngetattr(s, 'upper')()",
    error: "AttributeError",
  }),
  fact({
    id: "lambda-key",
    construct: "lambda as key",
    works: true,
    claim: "a lambda: `max(d, key=lambda k: d[k])`",
    example:
      "d = {'a': 1, 'b': 3}\n[max(d, key=lambda k: d[k]), sorted(['b', 'A'], key=lambda s: s.lower())]",
    expected: ["b", ["A", "b"]],
  }),
  fact({
    id: "slice-assignment",
    construct: "slice assignment",
    works: false,
    claim: "Slice assignment `xs[1:3] = ys`",
    example: "xs = [1, 2, 3, 4]\nys = [9]\nxs[1:3] = ys\nxs",
    error: "TypeError",
  }),
  fact({
    id: "new-list",
    construct: "building a new list from slices",
    works: true,
    claim: "build a new list",
    example: "xs = [1, 2, 3, 4]\nys = [9]\nxs = xs[:1] + ys + xs[3:]\nxs",
    expected: [1, 9, 4],
  }),
  fact({
    id: "dict-union",
    construct: "d1 | d2",
    works: false,
    claim: "`d1 | d2`",
    example: "d1 = {'a': 1}\nd2 = {'b': 2}\nd1 | d2",
    error: "TypeError",
  }),
  fact({
    id: "dict-unpack-merge",
    construct: "{**d1, **d2}",
    works: true,
    claim: "`{**d1, **d2}`",
    example: "d1 = {'a': 1}\nd2 = {'a': 3, 'b': 2}\n{**d1, **d2}",
    expected: { a: 3, b: 2 },
  }),
  ...["format", "callable", "eval", "exec", "input", "dir", "vars", "globals"].map((name) =>
    fact({
      id: `builtin-${name}-missing`,
      construct: `${name}()`,
      works: false,
      claim: `\`${name}()\``,
      example: `${name}`,
      error: "NameError",
    }),
  ),

  // --- Silently wrong.
  fact({
    id: "decorator",
    construct: "decorators",
    works: false,
    claim: "Decorators are ignored: `@deco` above a `def` does nothing",
    example: "def deco(f):\n    return lambda x: f(x) * 10\n@deco\ndef g(x):\n    return x\ng(2)",
    silentlyWrong: { expected: 20, actual: 2 },
  }),
  fact({
    id: "decorator-by-hand",
    construct: "applying a decorator by hand",
    works: true,
    claim: "write `f = deco(f)`",
    example:
      "def deco(f):\n    return lambda x: f(x) * 10\ndef g(x):\n    return x\ng = deco(g)\ng(2)",
    expected: 20,
  }),
  fact({
    id: "set-comparison",
    construct: "set <=, <, >=, >",
    works: false,
    claim: "Set comparisons `a <= b`, `a < b`, `a >= b`, `a > b` are always False",
    example: "a = {1}\nb = {1, 2}\n[a <= b, a < b, b >= a, b > a, a <= a]",
    silentlyWrong: {
      expected: [true, true, true, true, true],
      actual: [false, false, false, false, false],
    },
  }),
  fact({
    id: "set-subset-methods",
    construct: "issubset / issuperset",
    works: true,
    claim: "`a.issubset(b)`, `a.issuperset(b)`",
    example: "a = {1}\nb = {1, 2}\n[a.issubset(b), b.issuperset(a), b.issubset(a), a == {1}]",
    expected: [true, true, false, true],
  }),
  fact({
    id: "list-ordering",
    construct: "list <, >",
    works: false,
    claim: "List ordering `[1, 2] < [1, 3]` is always False",
    example: "[[1, 2] < [1, 3], [2] > [1], [1] <= [1]]",
    silentlyWrong: { expected: [true, true, true], actual: [false, false, false] },
  }),
  fact({
    id: "sort-lists",
    construct: "sorting lists",
    works: false,
    claim: "sorting lists raises",
    example: "rows = [{'k': [2, 1]}, {'k': [1, 5]}]\nsorted(rows, key=lambda r: r['k'])",
    error: "TypeError",
  }),
  fact({
    id: "sort-tuples",
    construct: "sorting by tuples",
    works: true,
    claim: 'use tuples: `sorted(rows, key=lambda r: (r["a"], r["b"]))`',
    example:
      'rows = [{"a": 2, "b": 1}, {"a": 1, "b": 5}, {"a": 1, "b": 2}]\n[(r["a"], r["b"]) for r in sorted(rows, key=lambda r: (r["a"], r["b"]))]',
    expected: [
      [1, 2],
      [1, 5],
      [2, 1],
    ],
  }),
  fact({
    id: "hasattr-method",
    construct: "hasattr for methods",
    works: false,
    claim: '`hasattr(s, "upper")` is False for methods of `str`, `list`, `dict`',
    example: "s = 'a'\n[hasattr(s, 'upper'), hasattr([], 'append'), hasattr({}, 'get')]",
    silentlyWrong: { expected: [true, true, true], actual: [false, false, false] },
  }),
  fact({
    id: "isinstance",
    construct: "isinstance()",
    works: true,
    claim: "check types with `isinstance()`",
    example:
      "[isinstance('a', str), isinstance([], list), isinstance({}, dict), isinstance(1.5, (int, float))]",
    expected: [true, true, true, true],
  }),
  // --- Names are resolved in program order.
  fact({
    id: "forward-call",
    construct: "calling a function defined later",
    works: false,
    claim:
      "Calling a function defined further down (`def main(): return helper()` above `def helper():`)",
    example: "def main():\n    return helper()\n\ndef helper():\n    return 1\n\nmain()",
    error: "NameError",
  }),
  fact({
    id: "import-below-use",
    construct: "a function using a module imported below it",
    works: false,
    claim:
      "A function that uses a module imported below it (`def f(): return math.pi` above `import math`) raises `NameError`",
    example: "def f():\n    return math.pi\n\nimport math\nf()",
    error: "NameError",
  }),
  fact({
    id: "imports-first",
    construct: "imports at the top",
    works: true,
    claim: "write every `import` at the top of the program, before any `def`",
    example: "import math\n\ndef f():\n    return round(math.pi, 2)\n\nf()",
    expected: 3.14,
  }),
  fact({
    id: "next-of-generator",
    construct: "next() of a generator expression",
    works: false,
    claim:
      "`next()` on a generator expression (`next(x for x in xs if x > 0)`) raises: generator expressions build lists here",
    example: "xs = [-1, 2]\nnext(x for x in xs if x > 0)",
    error: "TypeError",
  }),
  fact({
    id: "next-of-iter",
    construct: "next(iter(list), default)",
    works: true,
    claim: "`next(iter([x for x in xs if x > 0]), None)`",
    example:
      "xs = [-1, 2, 3]\n[next(iter([x for x in xs if x > 0]), None), next(iter([x for x in xs if x > 5]), None)]",
    expected: [2, null],
  }),
  fact({
    id: "recursive-lambda",
    construct: "a lambda calling itself",
    works: false,
    claim: "a lambda that calls itself raises `NameError`",
    example: "f = lambda n: 1 if n == 0 else n * f(n - 1)\nf(5)",
    error: "NameError",
  }),
  fact({
    id: "define-before-use",
    construct: "functions defined before their callers",
    works: true,
    claim:
      "define each function before any function that calls it: `def helper(): ...` first, then `def main(): return helper()`",
    example: "def helper():\n    return 1\n\ndef main():\n    return helper()\n\nmain()",
    expected: 1,
  }),
  fact({
    id: "recursive-def",
    construct: "recursion with def",
    works: true,
    claim: "recursion works with `def`",
    example: "def fact(n):\n    return 1 if n == 0 else n * fact(n - 1)\n\nfact(5)",
    expected: 120,
  }),
]);
