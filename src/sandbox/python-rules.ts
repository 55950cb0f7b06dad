/**
 * What the model is told about the sandbox's Python (Monty, `@pydantic/monty` 0.0.18, runs a
 * subset of Python): `SANDBOX_PYTHON_RULES` is the block an agent puts in its prompt.
 *
 * Each claim is backed by a measured fact in `test/sandbox/python-facts.ts`. Code the model
 * may copy is written between double backticks here (``like this``): the prompt shows it
 * in single backticks, `SANDBOX_PYTHON_SNIPPETS` lists it, and
 * `test/sandbox/python-rules-snippets.test.ts` type-checks and runs each snippet as written.
 */

const RULE_LINES = [
  "Sandbox Python rules:",
  "- Your code runs in Monty, a sandboxed subset of Python 3. It cannot reach files, the network, environment variables or the clock: `open()`, `os.environ`, `datetime.now()` and `date.today()` raise.",
  '- The last line is the result: end with an expression such as ``{"total": total, "top": top}`` (no `return` needed). If the last line is an assignment, loop or `if`, the result is `None`.',
  "- Call tools as plain functions, positionally or by keyword: ``get_user(3)``, ``user = get_user(id=3)``. They are synchronous from Python's view: never `await` them.",
  "- A failing tool raises an exception in your code: `except Exception as e:` catches it and `str(e)` is its message.",
  "- `parallel_map(tool, *iterables, concurrency=None, return_exceptions=False, **kwargs)` runs one tool over many inputs concurrently on the host; results come back in input order: ``users = parallel_map(get_user, ids)``. Other keyword arguments go to every call: ``parallel_map(add, xs, b=10)``.",
  '- Pass the tool itself or its name: ``parallel_map("get_user", ids)``. Any iterable works (list, `range`, `d.values()`, a generator); several iterables give several positional arguments: ``parallel_map(add, xs, ys)``. `concurrency=4` caps the calls in flight.',
  "- Only tools can be mapped; for a Python function or a lambda use a list comprehension.",
  "- Without `return_exceptions`, the first failure raises. With `return_exceptions=True` a failed slot holds the exception object: test it with ``isinstance(r, Exception)``.",
  "- `parallel_map` is the way to run tools concurrently: `asyncio.gather(tool(a), tool(b))` raises.",
  "- `print()` is for debugging only: its output is captured separately and is not the result.",
  "- Works as usual: comprehensions, generator expressions, lambdas, closures, `*args`/`**kwargs`, `try`/`except`/`finally`, `:=`, `sorted(..., key=..., reverse=True)`, `zip`, `min`/`max` with `key`, `round`, `divmod`, string, list and dict methods.",
  "- Importable modules: `json`, `math`, `re`, `datetime`, `typing`. Most others are missing, including `collections`, `itertools`, `functools`, `statistics`, `random`, `time`, `string`, `copy`, `decimal`.",
  '- Dates: ``from datetime import date; (date.fromisoformat("2025-03-01") - date(2025, 1, 31)).days``, ``from datetime import date, timedelta; (date(2025, 1, 31) + timedelta(days=7)).isoformat()``; comparisons, `strftime()`, `weekday()` and `datetime.fromisoformat()` work too.',
  "- Instead of `collections`: count with ``counts[k] = counts.get(k, 0) + 1``, group with ``groups.setdefault(k, []).append(v)``.",
  "- `math` has no `prod`, `fsum` or `hypot`. `re.sub` takes no function as replacement: loop over `re.finditer` instead.",
  "Not supported (raises an error) -> do this instead:",
  '- `class`, `@dataclass` -> plain dicts such as ``{"name": name, "score": score}``.',
  "- `match` -> `if`/`elif`.",
  "- `yield` -> build and return a list (generator expressions such as ``sum(x * x for x in xs)`` work).",
  "- `del` -> ``d.pop(key)``, ``items.pop(i)``.",
  '- `str.format()` and `%`-formatting (`"%d" % n`) -> f-strings: ``f"{x:.2f}"``, ``f"{s:>10}"``, ``f"{n:05d}"``, ``f"{r:.1%}"`` work.',
  '- Format specs with `,`, `_` or `#` (`f"{n:,}"`, `f"{n:_}"`, `f"{n:#x}"`) -> for thousands ``import re; re.sub(r"(\\d)(?=(\\d{3})+(?!\\d))", r"\\1,", f"{x:.2f}")`` (or ``str(n)`` for an int), ``hex(n)`` for `0x`.',
  "- `enumerate(xs, start=1)` -> ``enumerate(xs, 1)``.",
  '- `int(s, 16)` (any base argument) -> a loop: ``n = n * 16 + "0123456789abcdef".index(c)``.',
  "- Arithmetic on bools (`True + 1`, `sum(x > 0 for x in xs)`) -> ``sum(1 for x in xs if x > 0)``.",
  '- Methods of `str`, `list` and `dict` as values (`key=d.get`, `key=str.lower`, `getattr(s, "upper")`) -> a lambda: ``max(d, key=lambda k: d[k])``.',
  "- Slice assignment `xs[1:3] = ys` -> build a new list.",
  "- `d1 | d2` -> ``{**d1, **d2}``.",
  "- Calling a function defined further down (`def main(): return helper()` above `def helper():`) or a lambda that calls itself raises `NameError` -> define each function before any function that calls it: ``def helper(): ...`` first, then ``def main(): return helper()``; recursion works with `def`.",
  "- A function that uses a module imported below it (`def f(): return math.pi` above `import math`) raises `NameError` -> write every `import` at the top of the program, before any `def`.",
  "- `next()` on a generator expression (`next(x for x in xs if x > 0)`) raises: generator expressions build lists here -> ``next(iter([x for x in xs if x > 0]), None)``.",
  "- Builtins `format()`, `callable()`, `eval()`, `exec()`, `input()`, `dir()`, `vars()`, `globals()` do not exist.",
  "Silently wrong (no error, wrong answer) -> avoid:",
  "- Decorators are ignored: `@deco` above a `def` does nothing -> write ``f = deco(f)``.",
  "- Set comparisons `a <= b`, `a < b`, `a >= b`, `a > b` are always False -> ``a.issubset(b)``, ``a.issuperset(b)``.",
  '- List ordering `[1, 2] < [1, 3]` is always False and sorting lists raises -> use tuples: ``sorted(rows, key=lambda r: (r["a"], r["b"]))``.',
  '- `hasattr(s, "upper")` is False for methods of `str`, `list`, `dict` -> check types with `isinstance()`.',
];

const SNIPPET = /``(.+?)``/g;

/** The rules block for the model's prompt (Monty 0.0.18). */
export const SANDBOX_PYTHON_RULES: string = RULE_LINES.join("\n").replace(SNIPPET, "`$1`");

/** The code the rules show for the model to copy, each as written (a program on its own). */
export const SANDBOX_PYTHON_SNIPPETS: readonly string[] = Object.freeze(
  RULE_LINES.flatMap((line) => [...line.matchAll(SNIPPET)].map((m) => m[1]!)),
);
