/**
 * MCP tool and parameter names made callable from Python. MCP allows names such as
 * `get-weather`, `3d_render` or `class`; the model must call them as Python functions, so
 * each gets a close identifier, and name clashes are settled the same way whatever order
 * the server lists its tools in.
 */
import {
  isIdentifierSpelling,
  isPythonIdentifier,
  isReservedToolName,
  PYTHON_KEYWORDS,
  RESERVED_TOOL_NAMES,
  suggestIdentifier,
} from "../tools/python-names.js";

/** One MCP name that reaches Python under another name, and why. */
export interface McpRename {
  /** The name on the MCP server. */
  from: string;
  /** The Python function name. */
  to: string;
  reason: string;
}

/** Why `name` (after prefixing) is not usable as it is, or undefined when it is. */
function problem(name: string): string | undefined {
  if (!isIdentifierSpelling(name)) return "not a Python identifier";
  if (PYTHON_KEYWORDS.has(name)) return "a Python keyword";
  if (isReservedToolName(name)) return "would hide a Python builtin or the sandbox's own";
  return undefined;
}

/** A prefix must itself be a plain identifier part: `weather`, `files`, `gh2`. */
export function cleanPrefix(prefix: string): string {
  return suggestIdentifier(prefix);
}

/**
 * Python names for `names` (MCP tool names in server order), optionally prefixed
 * `prefix_name`. `taken` holds names already used by other tools. A clean name that is
 * free keeps its spelling; when several MCP names map to the same identifier, the one
 * spelled exactly that way wins, the others (sorted by MCP name) get `_2`, `_3`, ...
 */
export function pythonToolNames(
  names: readonly string[],
  prefix?: string,
  taken: ReadonlySet<string> = new Set(),
): { names: Map<string, string>; renamed: McpRename[] } {
  const joined = (name: string) => (prefix ? `${prefix}_${name}` : name);
  const candidates = new Map<string, string[]>();
  for (const name of names) {
    const wanted = joined(name);
    const base = problem(wanted) ? suggestIdentifier(wanted, RESERVED_TOOL_NAMES) : wanted;
    const group = candidates.get(base) ?? [];
    group.push(name);
    candidates.set(base, group);
  }
  const used = new Set(taken);
  for (const base of candidates.keys()) used.add(base);
  const result = new Map<string, string>();
  const renamed: McpRename[] = [];
  for (const [base, group] of candidates) {
    // Exact spelling first, then by MCP name: independent of the server's listing order.
    const ordered = [...group].sort((a, b) => {
      const exact = Number(joined(b) === base) - Number(joined(a) === base);
      return exact !== 0 ? exact : a < b ? -1 : a > b ? 1 : 0;
    });
    ordered.forEach((name, i) => {
      let to = base;
      let reason = problem(joined(name));
      if (i > 0 || taken.has(base)) {
        let n = 2;
        while (used.has(`${base}_${n}`)) n++;
        to = `${base}_${n}`;
        used.add(to);
        const other = i > 0 ? ordered[0]! : base;
        reason = `"${base}" is taken by ${i > 0 ? `MCP tool "${other}"` : "another tool"}`;
      }
      result.set(name, to);
      if (to !== joined(name)) renamed.push({ from: name, to, reason: reason ?? "renamed" });
    });
  }
  return { names: result, renamed };
}

/**
 * Python keyword-argument names for an input schema's properties (`from` -> `from_`,
 * `user-id` -> `user_id`), as a map from Python name back to the MCP property name.
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
