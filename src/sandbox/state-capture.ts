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

/** The pause the appended block makes, with `(kept: dict, dropped: list[str])`. */
export const STATE_HOST = "__codemode_state__";
const VALUE = "__codemode_value__";
const PUT = "__codemode_put__";

/** Python's keywords and the soft ones; never variable names. */
const KEYWORDS = new Set(
  (
    "False None True and as assert async await break class continue def del elif else " +
    "except finally for from global if import in is lambda nonlocal not or pass raise " +
    "return try while with yield match case type _"
  ).split(" "),
);

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
export function withStateCapture(code: string, exclude: ReadonlySet<string>): string {
  const scan = scanPython(code);
  const names = [...scan.names].filter((n) => !exclude.has(n) && !n.startsWith("__codemode"));
  const last = lastStatement(code, scan);
  let body: string;
  if (last !== undefined && isExpression(code.slice(last))) {
    body = `${code.slice(0, last)}${VALUE} = (${code.slice(last)}\n)`;
  } else {
    body = `${code}\n${VALUE} = None`;
  }
  const block = [
    // Builtins (len, int, ...) are not the program's; its functions and imports are.
    `def ${PUT}(kept, dropped, name, value):`,
    "    kind = type(value).__name__",
    `    if kind == "function" or kind == "module":`,
    "        dropped.append(name)",
    `    elif kind != "builtin_function_or_method" and kind != "type":`,
    "        kept[name] = value",
    "__codemode_kept__ = {}",
    "__codemode_dropped__ = []",
  ];
  for (const name of names) {
    block.push(
      "try:",
      `    ${PUT}(__codemode_kept__, __codemode_dropped__, "${name}", ${name})`,
      "except NameError:",
      "    pass",
    );
  }
  block.push(`${STATE_HOST}(__codemode_kept__, __codemode_dropped__)`, VALUE);
  return `${body}\n${block.join("\n")}\n`;
}

/** Where the program's last simple statement starts, or undefined when it ends in a block. */
function lastStatement(code: string, scan: Scan): number | undefined {
  const lines = scan.lines.filter((l) => !isBlankOrComment(code, l.start));
  const last = lines[lines.length - 1];
  // An indented last line belongs to a compound statement (if/for/def/...): no value.
  if (last?.indent !== 0) return undefined;
  const semicolon = scan.semicolons.filter((s) => s > last.start).pop();
  if (semicolon === undefined) return last.start;
  // `a = 1; a`: the expression after the last semicolon.
  let start = semicolon + 1;
  while (code[start] === " " || code[start] === "\t") start += 1;
  return code.slice(start).trim() === "" ? undefined : start;
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
    if (c === "\\" && code[i + 1] === "\n") {
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
