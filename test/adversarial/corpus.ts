/**
 * Hostile and careless programs, as a model might write them (or an attacker might steer
 * it to). Each entry says how the run must end. Outcomes were measured on Monty 0.0.18;
 * where Monty's answer is a quirk rather than a guarantee, the entry accepts either.
 *
 * `processOnly` marks programs that must never run in the host process: they crash it
 * natively (SIGSEGV) or hold its event loop in native code past the time limit.
 */
import { defineTool, type Limits, type Tool } from "codemode";

export type Expectation =
  | { ok: true; value?: unknown; check?: (value: unknown, output: string) => void }
  | { errorType: string | readonly string[]; message?: RegExp }
  | { throws: string };

export interface AdversarialCase {
  name: string;
  category:
    | "cpu"
    | "recursion"
    | "memory"
    | "nesting"
    | "output"
    | "escape"
    | "tool-flood"
    | "tool-values"
    | "inputs";
  code: string;
  limits?: Partial<Limits>;
  inputs?: Record<string, unknown>;
  expect: Expectation;
  /** Why this program may only run with process isolation. */
  processOnly?: string;
}

const CRASHES_HOST = "SIGSEGV in Monty's native code (json.dumps of ~15k+ deep nesting)";
const BLOCKS_HOST =
  "native work that Monty's time limit does not interrupt; only killing the process ends it";

/** Short limits keep the suite fast; each case's run must end within them. */
const CPU = { timeoutMs: 300 } satisfies Partial<Limits>;
const MEM = { maxMemoryBytes: 64 * 1024 * 1024, timeoutMs: 5000 } satisfies Partial<Limits>;
const FLOOD = { maxToolCalls: 20_000, timeoutMs: 20_000 } satisfies Partial<Limits>;

const deepList = (n: number) => `x = []\nfor i in range(${n}):\n  x = [x]\n`;
const dag = (n: number) => `x = [1]\nfor i in range(${n}):\n  x = [x, x]\n`;

const cycle: Record<string, unknown> = {};
cycle.self = cycle;
const deepObject: Record<string, unknown> = {};
{
  let node = deepObject;
  for (let i = 0; i < 1000; i++) {
    const next: Record<string, unknown> = {};
    node.a = next;
    node = next;
  }
}

/** Tools whose results are everything a JS function can return. */
const ODD_RESULTS: Record<string, () => unknown> = {
  undefined: () => undefined,
  nan: () => Number.NaN,
  infinity: () => Number.NEGATIVE_INFINITY,
  bigint: () => 2n ** 70n,
  huge_bigint: () => 2n ** 10_000n,
  date: () => new Date(0),
  invalid_date: () => new Date("not a date"),
  map: () =>
    new Map<unknown, unknown>([
      ["a", 1],
      [2, "b"],
    ]),
  set: () => new Set([1, 2, 2]),
  cycle: () => cycle,
  function: () => () => 1,
  symbol: () => Symbol("s"),
  forged_exception: () => ({ __monty_type__: "Exception", excType: "SystemExit", message: "x" }),
  forged_tuple: () => Object.assign([1, 2], { __tuple__: true }),
  throwing_getter: () => ({
    get boom(): never {
      throw new Error("getter boom");
    },
  }),
  hostile_proxy: () =>
    new Proxy(
      {},
      {
        ownKeys() {
          throw new Error("ownKeys boom");
        },
      },
    ),
  self_to_json: () => ({
    toJSON() {
      return this;
    },
  }),
  throwing_to_json: () => ({
    toJSON() {
      throw new Error("toJSON boom");
    },
  }),
  typed_array: () => new Float64Array([1.5, 2]),
  deep_object: () => deepObject,
  error_value: () => new TypeError("an error value"),
  proto_key: () => JSON.parse('{"__proto__": 1, "constructor": 2}'),
  thenable: () => ({
    // biome-ignore lint/suspicious/noThenProperty: a thenable is exactly what is being tested.
    then(resolve: (v: unknown) => void) {
      resolve(7);
    },
  }),
  throws_string: () => {
    throw "a bare string";
  },
  rejects_number: () => Promise.reject(42),
  ten_mb: () => "x".repeat(10_000_000),
  million_items: () => Array.from({ length: 1_000_000 }, (_, i) => i),
};

/** The tools every case may call. */
export function corpusTools(): Tool[] {
  return [
    defineTool({ name: "noop", description: "Does nothing.", execute: () => null }),
    defineTool({
      name: "echo",
      description: "Returns its argument.",
      parameters: { type: "object", properties: { x: {} } },
      execute: ({ x }) => x,
    }),
    ...Object.entries(ODD_RESULTS).map(([name, fn]) =>
      defineTool({ name: `odd_${name}`, description: `Returns ${name}.`, execute: fn }),
    ),
  ];
}

const caught = (call: string) =>
  `try:\n  v = ${call}\n  r = ['ok', v]\nexcept Exception as e:\n  r = ['caught', type(e).__name__, str(e)]\nr`;

const CAUGHT_TYPE_ERROR = {
  ok: true,
  check: (value: unknown) => {
    const [tag, type] = value as [string, string];
    if (tag !== "caught" || type !== "TypeError") {
      throw new Error(`expected a caught TypeError, got ${JSON.stringify(value)}`);
    }
  },
} as const;

// biome-ignore format: a table reads best as one case per line.
export const CORPUS: readonly AdversarialCase[] = [
  // --- CPU: each must stop at its time limit -------------------------------------------
  { name: "while True", category: "cpu", code: "while True:\n  pass", limits: CPU, expect: { errorType: "TimeoutError" } },
  { name: "counting loop", category: "cpu", code: "x = 0\nwhile True:\n  x += 1", limits: CPU, expect: { errorType: "TimeoutError" } },
  { name: "range(10**12)", category: "cpu", code: "for i in range(10**12):\n  pass", limits: CPU, expect: { errorType: "TimeoutError" } },
  { name: "swallow the timeout", category: "cpu", code: "while True:\n  try:\n    while True:\n      pass\n  except BaseException:\n    pass", limits: CPU, expect: { errorType: "TimeoutError", message: /timeoutMs/ } },
  { name: "nested generator", category: "cpu", code: "sum(i * j for i in range(10**6) for j in range(10**6))", limits: CPU, expect: { errorType: "TimeoutError" } },
  { name: "string append loop", category: "cpu", code: "s = ''\nfor i in range(10**8):\n  s += 'abcdefgh'\nlen(s)", limits: { ...CPU, maxMemoryBytes: 64 * 1024 * 1024 }, expect: { errorType: ["TimeoutError", "MemoryError"] } },
  { name: "exponential equality", category: "cpu", code: `${dag(60)}y = [1]\nfor i in range(60):\n  y = [y, y]\nx == y`, limits: CPU, expect: { errorType: "TimeoutError" } },
  { name: "catastrophic regex", category: "cpu", code: "import re\nre.match('(a+)+$', 'a' * 40 + 'b')", limits: CPU, expect: { ok: true, value: null } },
  { name: "asyncio.gather of 100k coroutines", category: "cpu", code: "import asyncio\nasync def f():\n  return 1\nasync def main():\n  return await asyncio.gather(*[f() for i in range(100000)])\nlen(asyncio.run(main()))", limits: { timeoutMs: 500 }, expect: { errorType: "TimeoutError" }, processOnly: BLOCKS_HOST },

  // --- Recursion -----------------------------------------------------------------------
  { name: "unbounded recursion", category: "recursion", code: "def f(n):\n  return f(n + 1)\nf(0)", expect: { errorType: "RecursionError", message: /maxRecursionDepth/ } },
  { name: "mutual recursion", category: "recursion", code: "def a(n):\n  return b(n)\ndef b(n):\n  return a(n)\na(1)", expect: { errorType: ["RecursionError", "NameError"] } },
  { name: "recursive lambda", category: "recursion", code: "f = lambda: f()\nf()", expect: { errorType: ["RecursionError", "NameError"] } },
  { name: "recursion that catches RecursionError and recurses again", category: "recursion", code: "def f():\n  try:\n    f()\n  except RecursionError:\n    f()\nf()", limits: { timeoutMs: 800 }, expect: { errorType: ["MemoryError", "TimeoutError", "RecursionError"] } },
  { name: "20k-deep equality", category: "recursion", code: `${deepList(20000)}y = []\nfor i in range(20000):\n  y = [y]\nx == y`, expect: { errorType: "RecursionError" } },
  { name: "20k-deep hash", category: "recursion", code: "x = ()\nfor i in range(20000):\n  x = (x,)\nhash(x)", expect: { errorType: "RecursionError" } },
  { name: "recursion with maxRecursionDepth 100k", category: "recursion", code: "def f(n):\n  return f(n + 1)\nf(0)", limits: { maxRecursionDepth: 100_000, timeoutMs: 500 }, expect: { errorType: ["TimeoutError", "RecursionError"] }, processOnly: `${BLOCKS_HOST} (unwinding 100k frames takes ~15 s)` },

  // --- Memory: each must stop at maxMemoryBytes ------------------------------------------
  { name: "'a' * 10**10", category: "memory", code: "'a' * 10**10", limits: MEM, expect: { errorType: "MemoryError", message: /maxMemoryBytes/ } },
  { name: "[0] * 10**10", category: "memory", code: "[0] * 10**10", limits: MEM, expect: { errorType: "MemoryError" } },
  { name: "bytes(10**10)", category: "memory", code: "bytes(10**10)", limits: MEM, expect: { errorType: "MemoryError" } },
  { name: "2 ** 10**9", category: "memory", code: "2 ** (10**9)", limits: MEM, expect: { errorType: "MemoryError" } },
  { name: "doubling string", category: "memory", code: "s = 'x'\nwhile True:\n  s = s + s", limits: MEM, expect: { errorType: "MemoryError" } },
  { name: "doubling list", category: "memory", code: "l = [1]\nwhile True:\n  l = l + l", limits: MEM, expect: { errorType: "MemoryError" } },
  { name: "append forever", category: "memory", code: "l = []\nwhile True:\n  l.append('x' * 1000)", limits: MEM, expect: { errorType: "MemoryError" } },
  { name: "dict grows forever", category: "memory", code: "d = {}\ni = 0\nwhile True:\n  d[i] = i\n  i += 1", limits: { ...MEM, timeoutMs: 1000 }, expect: { errorType: ["MemoryError", "TimeoutError"] } },
  { name: "list(range(10**12))", category: "memory", code: "list(range(10**12))", limits: MEM, expect: { errorType: "MemoryError" } },
  { name: "nested comprehension", category: "memory", code: "[[[0] * 1000 for i in range(1000)] for j in range(1000)]", limits: MEM, expect: { errorType: "MemoryError" } },
  { name: "huge f-string padding", category: "memory", code: "n = 1\nx = f'{n:0>100000000}'\nlen(x)", limits: MEM, expect: { errorType: "MemoryError" } },
  { name: "str() of an exponential DAG", category: "memory", code: `${dag(40)}len(str(x))`, limits: { ...MEM, timeoutMs: 1000 }, expect: { errorType: ["MemoryError", "TimeoutError"] } },
  { name: "'a' * 10**10 under default limits", category: "memory", code: "'a' * 10**10", expect: { errorType: "MemoryError" } },
  { name: "int to 100k-digit string", category: "memory", code: "len(str(10 ** 100000))", expect: { errorType: "ValueError" } },

  // --- Deep and exponential nesting ------------------------------------------------------
  { name: "json.dumps of a 20k-deep list", category: "nesting", code: `import json\n${deepList(20000)}len(json.dumps(x))`, expect: { errorType: "SandboxCrashError", message: /SIGSEGV|SIGABRT|exited/ }, processOnly: CRASHES_HOST },
  { name: "json.dumps of a 20k-deep dict", category: "nesting", code: "import json\nx = {}\nfor i in range(20000):\n  x = {'a': x}\nlen(json.dumps(x))", expect: { errorType: "SandboxCrashError" }, processOnly: CRASHES_HOST },
  { name: "json.dumps of an exponential DAG", category: "nesting", code: `import json\n${dag(60)}len(json.dumps(x))`, limits: { timeoutMs: 500 }, expect: { errorType: "TimeoutError" }, processOnly: BLOCKS_HOST },
  { name: "return an exponential DAG", category: "nesting", code: `${dag(40)}x`, limits: { timeoutMs: 500 }, expect: { errorType: "TimeoutError" }, processOnly: BLOCKS_HOST },
  { name: "return a 20k-deep list", category: "nesting", code: `${deepList(20000)}x`, expect: { errorType: "ValueError", message: /nested deeper/ } },
  { name: "return a 1000-deep list", category: "nesting", code: `${deepList(1000)}x`, expect: { errorType: "ValueError" } },
  { name: "print a 20k-deep list", category: "nesting", code: `${deepList(20000)}print(x)\n'printed'`, expect: { ok: true, value: "printed" } },
  { name: "repr of a 20k-deep list", category: "nesting", code: `${deepList(20000)}len(repr(x)) > 0`, expect: { ok: true, value: true } },
  { name: "pass a 5000-deep list to a tool", category: "nesting", code: `${deepList(5000)}echo(x)`, expect: { errorType: "ValueError", message: /echo\(\)/ } },
  { name: "free a 200k-deep list", category: "nesting", code: `${deepList(200000)}x = None\n'freed'`, limits: MEM, expect: { ok: true, value: "freed" } },

  // --- Output and result size --------------------------------------------------------------
  { name: "print 1 MB", category: "output", code: "print('x' * 10**6)\n'done'", expect: { ok: true, value: "done", check: (_v, out) => truncated(out) } },
  { name: "print 100k lines", category: "output", code: "for i in range(100000):\n  print(i)\n'done'", expect: { ok: true, value: "done", check: (_v, out) => truncated(out) } },
  { name: "print 200k chunks without newline", category: "output", code: "for i in range(200000):\n  print('ab', end='')\n'done'", expect: { ok: true, value: "done", check: (_v, out) => truncated(out) } },
  { name: "print an exponential DAG", category: "output", code: `${dag(40)}print(x)`, limits: { timeoutMs: 800 }, expect: { errorType: "TimeoutError" } },
  { name: "return 2 MB of text", category: "output", code: "'x' * (2 * 10**6)", expect: { errorType: "ResultTooLargeError", message: /maxResultBytes/ } },
  { name: "return 2 MB of bytes", category: "output", code: "b'x' * (2 * 10**6)", expect: { errorType: "ResultTooLargeError" } },
  { name: "return 200k ints", category: "output", code: "list(range(200000))", expect: { errorType: "ResultTooLargeError" } },
  { name: "return a 100k-key dict", category: "output", code: "{str(i): i for i in range(100000)}", expect: { errorType: "ResultTooLargeError" } },
  { name: "600 KB of source", category: "output", code: "x = 1\n".repeat(100_000), expect: { errorType: "SourceTooLargeError", message: /maxSourceBytes/ } },

  // --- Escape attempts: nothing outside the sandbox is reachable ----------------------------
  { name: "import os; os.system", category: "escape", code: "import os\nos.system('id')", expect: { errorType: "AttributeError" } },
  { name: "os.getenv", category: "escape", code: "import os\nos.getenv('HOME')", expect: { errorType: "RuntimeError", message: /not supported/ } },
  { name: "os.environ", category: "escape", code: "import os\nos.environ.get('PATH')", expect: { errorType: "RuntimeError", message: /not supported/ } },
  { name: "os.listdir", category: "escape", code: "import os\nos.listdir('/')", expect: { errorType: "AttributeError" } },
  { name: "import subprocess", category: "escape", code: "import subprocess\nsubprocess.run(['id'])", expect: { errorType: "ModuleNotFoundError" } },
  { name: "import socket", category: "escape", code: "import socket\nsocket.socket()", expect: { errorType: "ModuleNotFoundError" } },
  { name: "import importlib", category: "escape", code: "import importlib\nimportlib.import_module('os')", expect: { errorType: "ModuleNotFoundError" } },
  { name: "import builtins", category: "escape", code: "import builtins\nbuiltins.open('/etc/passwd').read()", expect: { errorType: "ModuleNotFoundError" } },
  { name: "__import__", category: "escape", code: "__import__('os').system('id')", expect: { errorType: "NameError" } },
  { name: "__subclasses__ walk", category: "escape", code: "().__class__.__bases__[0].__subclasses__()", expect: { errorType: "AttributeError" } },
  { name: "__mro__ walk", category: "escape", code: "type(1).__mro__", expect: { errorType: "AttributeError" } },
  { name: "__globals__ walk", category: "escape", code: "(lambda: 0).__globals__['__builtins__']", expect: { errorType: "AttributeError" } },
  { name: "__code__", category: "escape", code: "def f():\n  return 1\nf.__code__", expect: { errorType: "AttributeError" } },
  { name: "getattr(1, '__class__')", category: "escape", code: "getattr(getattr(1, '__class__'), '__subclasses__')()", expect: { errorType: "AttributeError" } },
  { name: "getattr on a module", category: "escape", code: "import json\ngetattr(json, '__loader__')", expect: { errorType: "AttributeError" } },
  { name: "f-string attribute walk", category: "escape", code: "x = 1\nf'{x.__class__.__mro__}'", expect: { errorType: "AttributeError" } },
  { name: "str.format attribute walk", category: "escape", code: "'{0.__class__}'.format(1)", expect: { errorType: "AttributeError" } },
  { name: "open for reading", category: "escape", code: "open('/etc/passwd').read()", expect: { errorType: "PermissionError" } },
  { name: "open for writing", category: "escape", code: "open('/tmp/codemode-pwned', 'w').write('x')", expect: { errorType: "PermissionError" } },
  { name: "pathlib read", category: "escape", code: "import pathlib\npathlib.Path('/etc/passwd').read_text()", expect: { errorType: "PermissionError" } },
  { name: "pathlib write", category: "escape", code: "import pathlib\npathlib.Path('/tmp/codemode-pwned').write_text('x')", expect: { errorType: "PermissionError" } },
  { name: "pathlib iterdir", category: "escape", code: "import pathlib\nlist(pathlib.Path('/').iterdir())", expect: { errorType: "PermissionError" } },
  { name: "eval", category: "escape", code: "eval('1+1')", expect: { errorType: "NameError" } },
  { name: "exec", category: "escape", code: "exec('import os')", expect: { errorType: "NameError" } },
  { name: "compile", category: "escape", code: "compile('1', 'x', 'eval')", expect: { errorType: "NameError" } },
  { name: "globals()", category: "escape", code: "globals()", expect: { errorType: "NameError" } },
  { name: "sys.modules", category: "escape", code: "import sys\nsys.modules['os']", expect: { errorType: "AttributeError" } },
  { name: "sys._getframe", category: "escape", code: "import sys\nsys._getframe()", expect: { errorType: "AttributeError" } },
  { name: "sys.exit", category: "escape", code: "import sys\nsys.exit(3)", expect: { errorType: "AttributeError" } },
  { name: "sys.setrecursionlimit", category: "escape", code: "import sys\nsys.setrecursionlimit(10**6)", expect: { errorType: "AttributeError" } },
  { name: "raise SystemExit", category: "escape", code: "raise SystemExit(1)", expect: { errorType: ["SystemExit", "RuntimeError"] } },
  { name: "raise KeyboardInterrupt", category: "escape", code: "raise KeyboardInterrupt()", expect: { errorType: "KeyboardInterrupt" } },
  { name: "replace json.dumps", category: "escape", code: "import json\njson.dumps = lambda x: 'pwned'\njson.dumps(1)", expect: { errorType: "AttributeError" } },
  { name: "setattr on math", category: "escape", code: "import math\nsetattr(math, 'pi', 3)\nmath.pi", expect: { errorType: "AttributeError" } },
  { name: "json.dumps still intact afterwards", category: "escape", code: "import json\njson.dumps([1])", expect: { ok: true, value: "[1]" } },
  { name: "datetime.now", category: "escape", code: "import datetime\ndatetime.datetime.now()", expect: { errorType: "RuntimeError" } },
  { name: "asyncio subprocess", category: "escape", code: "import asyncio\nasyncio.create_subprocess_exec('id')", expect: { errorType: "AttributeError" } },
  { name: "input()", category: "escape", code: "input()", expect: { errorType: "NameError" } },
  { name: "object.__new__", category: "escape", code: "object.__new__(object)", expect: { errorType: "NameError" } },
  { name: "forged exception dict as the result", category: "escape", code: "{'__monty_type__': 'Exception', 'excType': 'SystemExit', 'message': 'x'}", expect: { ok: true, value: { __monty_type__: "Exception", excType: "SystemExit", message: "x" } } },

  // --- Tool-call floods ----------------------------------------------------------------------
  { name: "10k tool calls (limit raised)", category: "tool-flood", code: "for i in range(10000):\n  noop()\n'done'", limits: FLOOD, expect: { ok: true, value: "done" } },
  { name: "10k tool calls (default limit)", category: "tool-flood", code: "for i in range(10000):\n  noop()", expect: { errorType: "ToolCallLimitError", message: /maxToolCalls/ } },
  { name: "swallow the call limit", category: "tool-flood", code: "while True:\n  try:\n    noop()\n  except BaseException:\n    pass", expect: { errorType: "ToolCallLimitError" } },
  { name: "parallel_map of 10k (limit raised)", category: "tool-flood", code: "len(parallel_map(echo, range(10000)))", limits: FLOOD, expect: { ok: true, value: 10000 } },
  { name: "parallel_map of 10k (default limit)", category: "tool-flood", code: "parallel_map(echo, range(10000))", expect: { errorType: "ToolCallLimitError" } },
  { name: "10 MB argument", category: "tool-flood", code: "echo('x' * 10_000_000)", expect: { errorType: "ToolArgumentsTooLargeError", message: /maxToolArgumentBytes/ } },
  { name: "10 MB argument as a list", category: "tool-flood", code: "echo(['x' * 1000] * 10000)", expect: { errorType: "ToolArgumentsTooLargeError" } },
  { name: "10 MB argument, caught", category: "tool-flood", code: "try:\n  echo('x' * 10_000_000)\nexcept BaseException:\n  pass\n'escaped the limit'", expect: { errorType: "ToolArgumentsTooLargeError" } },
  { name: "1000 calls to a missing tool", category: "tool-flood", code: "n = 0\nfor i in range(1000):\n  try:\n    missing_tool()\n  except NameError:\n    n += 1\nn", expect: { ok: true, value: 1000 } },
  { name: "10 MB result", category: "tool-flood", code: "len(odd_ten_mb())", expect: { errorType: "ToolResultTooLargeError", message: /maxToolResultBytes/ } },
  { name: "a million-item result", category: "tool-flood", code: "len(odd_million_items())", expect: { errorType: "ToolResultTooLargeError" } },

  // --- Odd values returned by tools -----------------------------------------------------------
  { name: "undefined", category: "tool-values", code: "odd_undefined() is None", expect: { ok: true, value: true } },
  { name: "NaN", category: "tool-values", code: "x = odd_nan()\nx != x", expect: { ok: true, value: true } },
  { name: "-Infinity", category: "tool-values", code: "odd_infinity() < -1e308", expect: { ok: true, value: true } },
  { name: "BigInt", category: "tool-values", code: "odd_bigint() == 2 ** 70", expect: { ok: true, value: true } },
  { name: "BigInt of 3000 digits", category: "tool-values", code: "odd_huge_bigint() == 2 ** 10000", expect: { ok: true, value: true } },
  { name: "Date", category: "tool-values", code: "odd_date()", expect: { ok: true, value: "1970-01-01T00:00:00.000Z" } },
  { name: "invalid Date", category: "tool-values", code: "odd_invalid_date()", expect: { ok: true, value: null } },
  { name: "Map", category: "tool-values", code: "odd_map()", expect: { ok: true, value: { a: 1, "2": "b" } } },
  { name: "Set", category: "tool-values", code: "odd_set()", expect: { ok: true, value: [1, 2] } },
  { name: "cycle", category: "tool-values", code: caught("odd_cycle()"), expect: CAUGHT_TYPE_ERROR },
  { name: "function", category: "tool-values", code: caught("odd_function()"), expect: CAUGHT_TYPE_ERROR },
  { name: "symbol", category: "tool-values", code: caught("odd_symbol()"), expect: CAUGHT_TYPE_ERROR },
  { name: "throwing getter", category: "tool-values", code: caught("odd_throwing_getter()"), expect: CAUGHT_TYPE_ERROR },
  { name: "hostile Proxy", category: "tool-values", code: caught("odd_hostile_proxy()"), expect: CAUGHT_TYPE_ERROR },
  { name: "toJSON returning itself", category: "tool-values", code: caught("odd_self_to_json()"), expect: CAUGHT_TYPE_ERROR },
  { name: "throwing toJSON", category: "tool-values", code: caught("odd_throwing_to_json()"), expect: CAUGHT_TYPE_ERROR },
  { name: "1000-deep object", category: "tool-values", code: caught("odd_deep_object()"), expect: CAUGHT_TYPE_ERROR },
  { name: "forged exception tag", category: "tool-values", code: "x = odd_forged_exception()\n[isinstance(x, Exception), x]", expect: { ok: true, value: [false, { excType: "SystemExit", message: "x" }] } },
  { name: "forged tuple tag", category: "tool-values", code: "odd_forged_tuple()", expect: { ok: true, value: [1, 2] } },
  { name: "typed array", category: "tool-values", code: "odd_typed_array()", expect: { ok: true, value: [1.5, 2] } },
  { name: "Error object", category: "tool-values", code: "odd_error_value()", expect: { ok: true, value: { type: "TypeError", message: "an error value" } } },
  { name: "__proto__ key", category: "tool-values", code: "sorted(odd_proto_key().keys())", expect: { ok: true, value: ["__proto__", "constructor"] } },
  { name: "thenable", category: "tool-values", code: "odd_thenable()", expect: { ok: true, value: 7 } },
  { name: "thrown string", category: "tool-values", code: caught("odd_throws_string()"), expect: { ok: true, value: ["caught", "RuntimeError", "a bare string"] } },
  { name: "rejected number", category: "tool-values", code: caught("odd_rejects_number()"), expect: { ok: true, value: ["caught", "RuntimeError", "42"] } },

  // --- Odd inputs: refused before anything runs ---------------------------------------------
  { name: "cyclic input", category: "inputs", code: "data", inputs: { data: cycle }, expect: { throws: "ValueConversionError" } },
  { name: "function input", category: "inputs", code: "data", inputs: { data: () => 1 }, expect: { throws: "ValueConversionError" } },
  { name: "input named like a builtin keyword", category: "inputs", code: "1", inputs: { "not valid": 1 }, expect: { throws: "InvalidOptionsError" } },
];

function truncated(output: string): void {
  if (!output.includes("[output truncated at 65536 bytes")) {
    throw new Error(`expected the truncation note, got ${output.length} chars`);
  }
  if (Buffer.byteLength(output) > 65_536 + 200) {
    throw new Error(`output is ${Buffer.byteLength(output)} bytes, past the cap`);
  }
}
