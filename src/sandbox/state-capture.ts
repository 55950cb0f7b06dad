/**
 * Keeping a program's variables for the next one (the agent's turns). Monty 0.0.18 has no
 * `globals()` and its REPL cannot call tools, so the program is rewritten instead: its last
 * expression is assigned to a variable, and a block appended after it hands every top-level
 * name the program mentions that holds data to the host (one pause, like a tool call, that
 * is not counted as one). The next program gets them back as inputs, as the same Python
 * values (dict keys, tuples, sets and dates keep their types). Functions, modules and
 * classes cannot cross and are dropped; line numbers of the program are unchanged.
 *
 * The scan is lexical (strings, comments and brackets are tracked; no full parser): a name
 * it wrongly collects is harmless (the block skips names that are not defined), and a
 * rewrite that does not parse is detected by the runner, which then runs the program as it
 * was, without keeping state.
 */
import { PYTHON_KEYWORDS } from "./names.js";

/**
 * The pause the appended block makes, with `(kept: dict, dropped: list[(name, kind)],
 * rebuilt: dict)`. Each run calls it under this name plus a random suffix (see
 * `stateHostName`), so a program cannot make the call itself.
 */
export const STATE_HOST = "__codemode_state__";
const VALUE = "__codemode_value__";
const PUT = "__codemode_put__";
const INNER = "__codemode_inner__";
/** Items of kept containers checked for values that would not cross as themselves. */
const INNER_BUDGET = 5000;
/** The builtins the block and the prelude use, bound before the program can rebind them. */
const TYPE = "__codemode_type__";
const PRELUDE_BUILTINS = {
  type: TYPE,
  range: "__codemode_range__",
  frozenset: "__codemode_frozenset__",
};

/** Python types whose values cross to the next program as themselves (see values.ts). */
const CROSSING_KINDS = [
  "int",
  "float",
  "str",
  "bool",
  "NoneType",
  "list",
  "tuple",
  "dict",
  "set",
  "bytes",
  "date",
  "datetime",
  "datetime.datetime",
  "timedelta",
  "timezone",
  "ellipsis",
];

/** A name the state block can hand over: what its scan collects (no newline, no quote). */
export function isStateName(name: unknown): name is string {
  return typeof name === "string" && /^[A-Za-z_][A-Za-z0-9_]*$/.test(name);
}

/** A per-run name for the state pause, unguessable by the program. */
export function stateHostName(): string {
  return `${STATE_HOST.slice(0, -2)}_${Math.random().toString(36).slice(2, 12)}__`;
}

/**
 * A value kept between programs that Monty cannot hand over as itself: a `range` (it would
 * arrive as the string `'range(0, 5)'`) or a `frozenset` (it would arrive as a set). The
 * state holds it tagged (a plain object, which no Python value converts to), and the next
 * program's prelude builds it again from `value`: `range(*value)`, `frozenset(value)`.
 */
export interface RebuiltValue {
  readonly __codemode_rebuild__: "range" | "frozenset";
  readonly value: unknown;
}

export function isRebuiltValue(value: unknown): value is RebuiltValue {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  if (Object.getPrototypeOf(value) !== Object.prototype) return false;
  const kind = (value as { __codemode_rebuild__?: unknown }).__codemode_rebuild__;
  return kind === "range" || kind === "frozenset";
}

/** `range(2, 10, 3)` as Monty writes a range, back to its arguments. */
export function rangeArguments(repr: string): number[] | undefined {
  const m = /^range\((-?\d+), (-?\d+)(?:, (-?\d+))?\)$/.exec(repr);
  if (!m) return undefined;
  const args = [Number(m[1]), Number(m[2]), Number(m[3] ?? 1)];
  return args.every(Number.isSafeInteger) ? args : undefined;
}

/**
 * The line put before a program that keeps state, or that starts with rebuilt values: it
 * binds the builtins the appended block uses under reserved names (before the program can
 * rebind `type`), then gives inputs their values. An input named like one of those builtins,
 * and every rebuilt value, comes in under a reserved name and is assigned here.
 */
export function statePrelude(inputs: Readonly<Record<string, unknown>>): {
  line: string;
  inputs: Record<string, unknown>;
} {
  const statements = Object.entries(PRELUDE_BUILTINS).map(
    ([builtin, alias]) => `${alias} = ${builtin}`,
  );
  const renamed: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(inputs)) {
    const rebuilt = isRebuiltValue(value);
    if (!rebuilt && !Object.hasOwn(PRELUDE_BUILTINS, name)) {
      renamed[name] = value;
      continue;
    }
    const input = `__codemode_input_${name}__`;
    renamed[input] = rebuilt ? value.value : value;
    if (!rebuilt) statements.push(`${name} = ${input}`);
    else if (value.__codemode_rebuild__ === "range") {
      statements.push(`${name} = ${PRELUDE_BUILTINS.range}(*${input})`);
    } else statements.push(`${name} = ${PRELUDE_BUILTINS.frozenset}(${input})`);
  }
  return { line: `${statements.join("; ")}\n`, inputs: renamed };
}

/** True when `inputs` hold a value only the state prelude can give the program. */
export function needsStatePrelude(inputs: Readonly<Record<string, unknown>>): boolean {
  return Object.values(inputs).some(isRebuiltValue);
}

/**
 * Python's keywords, and `_`; never variables worth keeping. The soft keywords `match`,
 * `case` and `type` are ordinary names too (`type = "bar"` is common in chart code), so
 * they are kept like any other.
 */
const KEYWORDS: ReadonlySet<string> = new Set([...PYTHON_KEYWORDS, "_"]);

/** A statement that starts with one of these is not an expression. */
const STATEMENT_KEYWORDS = new Set(
  (
    "assert async break class continue def del elif else except finally for from global " +
    "if import nonlocal pass raise return try while with"
  ).split(" "),
);

interface Scan {
  /** Names outside strings and comments that are not attributes (`x.name`) or keywords. */
  names: Set<string>;
  /** Offsets where each logical line starts, with the line's indentation. */
  lines: { start: number; indent: number }[];
  /** Offsets of `;` at bracket depth 0. */
  semicolons: number[];
}

/**
 * `code` rewritten to hand its data variables to the host before it ends, keeping its
 * result; `exclude` holds names that are never state (tools, builtins the sandbox adds).
 */
export function withStateCapture(
  source: string,
  exclude: ReadonlySet<string>,
  stateHost = STATE_HOST,
): string {
  // Python reads \r\n and a lone \r as line ends too; one kind keeps the scan simple (and
  // a backslash before \r\n a continuation). The line count does not change.
  const code = source.replace(/\r\n?/g, "\n");
  const scan = scanPython(code);
  const names = [...scan.names].filter((n) => !exclude.has(n) && !n.startsWith("__codemode"));
  const last = lastStatement(code, scan);
  let body: string;
  // A semicolon after the last statement (`x;`) is left out of the parentheses.
  const trailing = scan.semicolons.at(-1);
  const end =
    last !== undefined &&
    trailing !== undefined &&
    trailing > last &&
    onlyBlankOrComment(code.slice(trailing + 1))
      ? trailing
      : code.length;
  if (last !== undefined && isExpression(code.slice(last, end))) {
    body = `${code.slice(0, last)}${VALUE} = (${code.slice(last, end)}\n)${code.slice(end + 1)}`;
  } else {
    body = `${code}\n${VALUE} = None`;
  }
  // No name here that the program can rebind: `type` is the prelude's alias, the rest is
  // syntax, literals and methods of str.
  const crossing = `(${CROSSING_KINDS.map((k) => `"${k}"`).join(", ")})`;
  const exception = `kind.endswith("Error") or kind.endswith("Exception") or kind.endswith("Warning")`;
  const block = [
    // Monty resolves a function's globals when it is defined: this one goes first.
    `__codemode_budget__ = [${INNER_BUDGET}]`,
    // The first kind inside a container that would not cross as itself (a range in a list
    // arrives as a string), within a budget of items shared by all variables.
    `def ${INNER}(value, budget):`,
    "    stack = [value]",
    "    while stack and budget[0] > 0:",
    "        budget[0] -= 1",
    "        item = stack.pop()",
    `        kind = ${TYPE}(item).__name__`,
    `        if kind == "list" or kind == "tuple" or kind == "set":`,
    "            stack.extend(item)",
    `        elif kind == "dict":`,
    "            stack.extend(item.keys())",
    "            stack.extend(item.values())",
    `        elif not (kind in ${crossing} or ${exception}):`,
    "            return kind",
    "    return None",
    `def ${PUT}(kept, dropped, rebuilt, name, value):`,
    `    kind = ${TYPE}(value).__name__`,
    `    if kind == "list" or kind == "tuple" or kind == "set" or kind == "dict":`,
    `        inner = ${INNER}(value, __codemode_budget__)`,
    "        if inner is None:",
    "            kept[name] = value",
    "        else:",
    `            dropped.append((name, kind + " holding " + inner))`,
    `    elif kind in ${crossing}:`,
    "        kept[name] = value",
    `    elif ${exception}:`,
    "        kept[name] = value",
    `    elif kind == "range" or kind == "frozenset":`,
    `        rebuilt[name] = (kind, f"{value!r}" if kind == "range" else value)`,
    // Builtins (len, int, ...) are not the program's; its functions, imports and the rest are.
    `    elif kind != "builtin_function_or_method" and kind != "type":`,
    "        dropped.append((name, kind))",
    "__codemode_kept__ = {}",
    "__codemode_dropped__ = []",
    "__codemode_rebuilt__ = {}",
  ];
  for (const name of names) {
    block.push(
      "try:",
      `    ${PUT}(__codemode_kept__, __codemode_dropped__, __codemode_rebuilt__, "${name}", ${name})`,
      "except:",
      "    pass",
    );
  }
  block.push(`${stateHost}(__codemode_kept__, __codemode_dropped__, __codemode_rebuilt__)`, VALUE);
  return `${body}\n${block.join("\n")}\n`;
}

/** Where the program's last simple statement starts, or undefined when it ends in a block. */
function lastStatement(code: string, scan: Scan): number | undefined {
  const lines = scan.lines.filter((l) => !isBlankOrComment(code, l.start));
  const last = lines[lines.length - 1];
  // An indented last line belongs to a compound statement (if/for/def/...): no value.
  if (last?.indent !== 0) return undefined;
  const semicolons = scan.semicolons.filter((s) => s > last.start);
  // `x;`: a semicolon that ends the line ends the statement before it.
  if (semicolons.length > 0 && onlyBlankOrComment(code.slice(semicolons.at(-1)! + 1))) {
    semicolons.pop();
  }
  const semicolon = semicolons.pop();
  if (semicolon === undefined) return last.start;
  // `a = 1; a`: the expression after the last semicolon.
  let start = semicolon + 1;
  while (code[start] === " " || code[start] === "\t") start += 1;
  return onlyBlankOrComment(code.slice(start)) ? undefined : start;
}

function onlyBlankOrComment(text: string): boolean {
  const trimmed = text.trim();
  return trimmed === "" || trimmed.startsWith("#");
}

function isBlankOrComment(code: string, start: number): boolean {
  const end = code.indexOf("\n", start);
  const text = code.slice(start, end === -1 ? undefined : end).trim();
  return text === "" || text.startsWith("#");
}

/** True for an expression statement (not an assignment, import, decorator, ...). */
function isExpression(statement: string): boolean {
  const first = /^[A-Za-z_][A-Za-z0-9_]*/.exec(statement)?.[0];
  if (first === "lambda") return true;
  if (first !== undefined && STATEMENT_KEYWORDS.has(first)) return false;
  if (statement.startsWith("@")) return false;
  const top = topLevelText(statement);
  // Assignments: `=` that is not part of ==, !=, <=, >=, := and augmented ones (+=, ...).
  if (/(^|[^=!<>:])=(?!=)/.test(top)) return false;
  // Annotated assignment `x: int = 1` / `x: int`; a lambda's colon is an expression's.
  if (top.includes(":") && !/\blambda\b/.test(top)) return false;
  return true;
}

/** The statement with bracketed parts, strings and comments blanked out. */
function topLevelText(statement: string): string {
  const scan = scanPython(statement, true);
  return scan.topLevel ?? statement;
}

/**
 * One pass over Python source: strings (any prefix, single or triple quoted), comments,
 * bracket depth, backslash continuations. Collects names, logical line starts and top-level
 * semicolons; with `keepTopLevel`, also the text at depth 0 outside strings and comments.
 */
function scanPython(code: string, keepTopLevel = false): Scan & { topLevel?: string } {
  const names = new Set<string>();
  const lines: Scan["lines"] = [];
  const semicolons: number[] = [];
  let top = "";
  let depth = 0;
  let atLineStart = true;
  let i = 0;
  const n = code.length;
  while (i < n) {
    if (atLineStart) {
      atLineStart = false;
      if (depth === 0) {
        let j = i;
        while (j < n && (code[j] === " " || code[j] === "\t")) j += 1;
        lines.push({ start: j, indent: j - i });
      }
    }
    const c = code[i]!;
    if (c === "#") {
      while (i < n && code[i] !== "\n") i += 1;
      continue;
    }
    if (c === "\n") {
      atLineStart = true;
      if (keepTopLevel && depth === 0) top += " ";
      i += 1;
      continue;
    }
    if (c === "\\" && (code[i + 1] === "\n" || code[i + 1] === "\r")) {
      if (code[i + 1] === "\r" && code[i + 2] === "\n") i += 1;
      i += 2; // a continuation: the logical line goes on
      continue;
    }
    const stringStart = stringPrefixLength(code, i);
    if (stringStart !== undefined) {
      i = skipString(code, i + stringStart);
      if (keepTopLevel && depth === 0) top += '""';
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_]/.test(code[j]!)) j += 1;
      const word = code.slice(i, j);
      let k = i - 1;
      while (k >= 0 && (code[k] === " " || code[k] === "\t")) k -= 1;
      const isAttribute = k >= 0 && code[k] === "." && !/[0-9]/.test(code[k - 1] ?? "");
      if (!isAttribute && !KEYWORDS.has(word)) names.add(word);
      if (keepTopLevel && depth === 0) top += word;
      i = j;
      continue;
    }
    if (c === "(" || c === "[" || c === "{") depth += 1;
    else if ((c === ")" || c === "]" || c === "}") && depth > 0) {
      depth -= 1;
      i += 1;
      continue;
    }
    if (c === ";" && depth === 0) semicolons.push(i);
    if (keepTopLevel && depth === 0 && c !== "(" && c !== "[" && c !== "{") top += c;
    i += 1;
  }
  return keepTopLevel ? { names, lines, semicolons, topLevel: top } : { names, lines, semicolons };
}

/** Length of a string prefix (`f`, `rb`, ...) when a string literal starts at `i`. */
function stringPrefixLength(code: string, i: number): number | undefined {
  const c = code[i]!;
  if (c === '"' || c === "'") return 0;
  // A prefix is only a prefix at the start of a word.
  if (i > 0 && /[A-Za-z0-9_]/.test(code[i - 1]!)) return undefined;
  const m = /^(?:[rRbBuUfF]|[rR][bBfF]|[bBfF][rR])(?=["'])/.exec(code.slice(i, i + 3));
  return m ? m[0].length : undefined;
}

/** The offset just past the string literal whose opening quote is at `i`. */
function skipString(code: string, i: number): number {
  const quote = code[i]!;
  const triple = code.startsWith(quote.repeat(3), i);
  const close = triple ? quote.repeat(3) : quote;
  let j = i + close.length;
  while (j < code.length) {
    const c = code[j]!;
    if (c === "\\") {
      j += 2;
      continue;
    }
    if (!triple && c === "\n") return j; // unterminated: let Python report it
    if (code.startsWith(close, j)) return j + close.length;
    j += 1;
  }
  return j;
}
