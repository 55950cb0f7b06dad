/**
 * MCP tool and parameter names made callable from Python. MCP allows names such as
 * `get-weather`, `3d_render` or `class`; the model must call them as Python functions, so
 * each gets a close identifier, and name clashes are settled the same way whatever order
 * the server lists its tools in.
 */
import {
  pythonParameterNames,
  settleToolNames,
  suggestIdentifier,
  type ToolRename,
} from "../tools/python/names.js";

export { pythonParameterNames };

/** One MCP name that reaches Python under another name, and why. */
export interface McpRename extends ToolRename {
  /** The name on the MCP server. */
  from: string;
  /** The Python function name. */
  to: string;
  reason: string;
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
  return settleToolNames(
    names.map((name) => ({ key: name, wanted: prefix ? `${prefix}_${name}` : name })),
    taken,
    (name) => `MCP tool "${name}"`,
  );
}
