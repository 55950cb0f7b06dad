/**
 * Which names Python code can use for a tool or a parameter. A tool becomes a Python
 * function and its parameters become keyword arguments, so both must be identifiers the
 * model can type, and a tool must not hide a builtin the generated code relies on.
 */
import { ToolDefinitionError } from "../../errors.js";
import { PYTHON_KEYWORDS } from "../../sandbox/names.js";

export { PYTHON_KEYWORDS };

/**
 * Names a tool may not take: codemode's own builtin (`parallel_map`), the typing names the
 * stub imports, and the builtins generated code leans on most. A tool called `len` would
 * silently replace `len()` for the whole program. Kept short on purpose.
 */
export const RESERVED_TOOL_NAMES: ReadonlySet<string> = new Set([
  "parallel_map",
  "search_tools",
  "describe_tool",
  "Any",
  "Literal",
  "NotImplementedError",
  "Exception",
  "print",
  "len",
  "range",
  "str",
  "int",
  "float",
  "bool",
  "list",
  "dict",
  "set",
  "tuple",
  "type",
  "isinstance",
  "sorted",
  "sum",
  "min",
  "max",
  "abs",
  "round",
  "enumerate",
  "zip",
  "map",
  "filter",
  "any",
  "all",
  "repr",
  "iter",
  "next",
  "open",
  "input",
]);

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Spelled like an identifier: ASCII letters, digits and underscores, not starting with a
 * digit. Keywords pass; `isPythonIdentifier` also refuses them.
 */
export function isIdentifierSpelling(name: string): boolean {
  return IDENTIFIER.test(name);
}

/** ASCII identifiers only: what every model reliably types and every tokenizer keeps intact. */
export function isPythonIdentifier(name: string): boolean {
  return isIdentifierSpelling(name) && !PYTHON_KEYWORDS.has(name);
}

/** A close, valid spelling of `name`: "get-weather" -> "get_weather", "class" -> "class_". */
export function suggestIdentifier(name: string, reserved: ReadonlySet<string> = new Set()): string {
  let s = name
    .replace(/[^A-Za-z0-9_]+/g, "_")
    .replace(/_{2,}/g, "_")
    .replace(/^_(?=[A-Za-z])/, "")
    .replace(/_+$/, "");
  if (s === "" || s === "_") s = "tool";
  if (/^[0-9]/.test(s)) s = `_${s}`;
  while (PYTHON_KEYWORDS.has(s) || reserved.has(s)) s = `${s}_`;
  return s;
}

/** The sandbox's own functions, and the prefix of the names its rewrites use. */
const SANDBOX_NAMES: ReadonlySet<string> = new Set([
  "parallel_map",
  "search_tools",
  "describe_tool",
]);
const SANDBOX_PREFIX = "__codemode";

/** A name no tool may take: a builtin generated code relies on, or the sandbox's own. */
export function isReservedToolName(name: string): boolean {
  return RESERVED_TOOL_NAMES.has(name) || name.startsWith(SANDBOX_PREFIX);
}

/** Why `name` is not usable as a tool name as it is, or undefined when it is. */
export function toolNameProblem(name: string): string | undefined {
  if (!isIdentifierSpelling(name)) return "not a Python identifier";
  if (PYTHON_KEYWORDS.has(name)) return "a Python keyword";
  if (SANDBOX_NAMES.has(name) || name.startsWith(SANDBOX_PREFIX)) return "the sandbox's own name";
  if (isReservedToolName(name)) return "would hide a Python builtin";
  return undefined;
}

/** A foreign tool name (an MCP tool's, an OpenAPI operation's) and the Python name it wants. */
export interface WantedToolName {
  /** What the source calls it: the MCP tool name, the operationId or `GET /path`. */
  readonly key: string;
  /** The Python name it would take if it were free and valid (prefix and all). */
  readonly wanted: string;
}

/** One tool that reaches Python under another name than it wanted, and why. */
export interface ToolRename {
  from: string;
  to: string;
  reason: string;
}

/**
 * Python names for foreign tools, settled the same way whatever order they come in. A
 * wanted name that is valid and free is kept; an invalid one gets a close spelling; when
 * several want the same identifier, the one that wanted exactly that spelling wins and the
 * others (sorted by key) get `_2`, `_3`, ... `taken` holds names other tools already use;
 * `what(key)` words a tool in the reasons (`MCP tool "x"`).
 */
export function settleToolNames(
  requests: readonly WantedToolName[],
  taken: ReadonlySet<string>,
  what: (key: string) => string,
): { names: Map<string, string>; renamed: ToolRename[] } {
  const wantedOf = new Map(requests.map((r) => [r.key, r.wanted]));
  const candidates = new Map<string, string[]>();
  for (const { key, wanted } of requests) {
    const base = toolNameProblem(wanted) ? suggestIdentifier(wanted, RESERVED_TOOL_NAMES) : wanted;
    const group = candidates.get(base) ?? [];
    group.push(key);
    candidates.set(base, group);
  }
  const used = new Set(taken);
  for (const base of candidates.keys()) used.add(base);
  const result = new Map<string, string>();
  const renamed: ToolRename[] = [];
  for (const [base, group] of candidates) {
    // Exact spelling first, then by key: independent of the listing order.
    const ordered = [...group].sort((a, b) => {
      const exact = Number(wantedOf.get(b) === base) - Number(wantedOf.get(a) === base);
      return exact !== 0 ? exact : a < b ? -1 : a > b ? 1 : 0;
    });
    ordered.forEach((key, i) => {
      const wanted = wantedOf.get(key)!;
      let to = base;
      let reason = toolNameProblem(wanted);
      if (i > 0 || taken.has(base)) {
        let n = 2;
        while (used.has(`${base}_${n}`)) n++;
        to = `${base}_${n}`;
        used.add(to);
        reason = `"${base}" is taken by ${i > 0 ? what(ordered[0]!) : "another tool"}`;
      }
      result.set(key, to);
      if (to !== wanted) renamed.push({ from: key, to, reason: reason ?? "renamed" });
    });
  }
  return { names: result, renamed };
}

/**
 * Python keyword-argument names for foreign parameter names (`from` -> `from_`, `user-id`
 * -> `user_id`), as a map from Python name back to the original name. Names that are
 * already identifiers keep their spelling.
 */
export function pythonParameterNames(properties: readonly string[]): Map<string, string> {
  const back = new Map<string, string>();
  const clean = new Set(properties.filter((p) => isPythonIdentifier(p)));
  for (const property of properties) {
    if (clean.has(property)) {
      back.set(property, property);
      continue;
    }
    let name = suggestIdentifier(property);
    while (back.has(name) || clean.has(name)) name = `${name}_`;
    back.set(name, property);
  }
  return back;
}

/** Throws a ToolDefinitionError that says what to call the tool instead. */
export function assertToolName(name: unknown): asserts name is string {
  if (typeof name !== "string" || name === "") {
    throw new ToolDefinitionError(
      `A tool needs a non-empty string name (got ${describeValue(name)}): ` +
        "pass defineTool({ name: ... }) or key the tool in a record such as { my_tool: fn }.",
    );
  }
  if (!isIdentifierSpelling(name)) {
    throw new ToolDefinitionError(
      `Tool name "${name}" is not a valid Python identifier (ASCII letters, digits and ` +
        `underscores, not starting with a digit): try "${suggestIdentifier(name, RESERVED_TOOL_NAMES)}".`,
    );
  }
  if (PYTHON_KEYWORDS.has(name)) {
    throw new ToolDefinitionError(
      `Tool name "${name}" is a Python keyword: try "${suggestIdentifier(name, RESERVED_TOOL_NAMES)}".`,
    );
  }
  if (SANDBOX_NAMES.has(name) || name.startsWith(SANDBOX_PREFIX)) {
    throw new ToolDefinitionError(
      `Tool name "${name}" is reserved: the sandbox defines ${name.startsWith(SANDBOX_PREFIX) ? "names starting with __codemode" : `its own ${name}()`} ` +
        `for every program. Try "${suggestIdentifier(name, RESERVED_TOOL_NAMES)}".`,
    );
  }
  if (RESERVED_TOOL_NAMES.has(name)) {
    throw new ToolDefinitionError(
      `Tool name "${name}" is reserved: it would hide Python's own ${name}, which generated ` +
        `code relies on. Try "${suggestIdentifier(name, RESERVED_TOOL_NAMES)}".`,
    );
  }
}

/** Throws when a schema property cannot be passed as a Python keyword argument. */
export function assertParameterName(toolName: string, name: string): void {
  if (!isPythonIdentifier(name)) {
    throw new ToolDefinitionError(
      `Tool "${toolName}": parameter "${name}" is not a valid Python identifier, so Python ` +
        `code could not pass it by keyword. Rename the property to "${suggestIdentifier(name)}".`,
    );
  }
}

/** Short description of a value for error messages: its type, and the value when small. */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "function") return "a function";
  if (typeof value === "object") return "an object";
  if (typeof value === "string")
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return String(value);
}
