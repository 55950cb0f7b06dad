/**
 * How a tool looks from Python: its signature line, its docstring, and a stub module that
 * Monty's type checker reads before the generated code. The signature is also what the
 * model sees in the prompt, so it has to be both valid Python and the truth about how
 * `bindArguments` will treat a call.
 */
import { validateJsonSchema } from "./json-schema-validator.js";
import { keywordOnlyStart } from "./parameters.js";
import { optionalHint, pythonLiteral, pythonTypeHint } from "./python-types.js";
import type { JsonSchema, Tool, ToolParameter } from "./types.js";

/** Signature of the `parallel_map` builtin the sandbox provides beside the tools. */
export const PARALLEL_MAP_SIGNATURE =
  "parallel_map(tool: Any, *iterables: Any, concurrency: int | None = None, " +
  "return_exceptions: bool = False) -> list[Any]";

const PARALLEL_MAP_DOC = `Call \`tool\` once per item of the iterables (like map()), running the calls
concurrently, and return the results in order.

Args:
    tool: A tool function, e.g. fetch_data.
    *iterables: One iterable per positional argument of the tool.
    concurrency: At most this many calls at once (None: the default limit).
    return_exceptions: Put a failed call's exception in the result list instead of raising it.`;

/**
 * `fetch_data(dataset: str, limit: int = 10) -> list[dict[str, Any]]`. Parameters keep the
 * schema's order; a required one after an optional one becomes keyword-only (after `*`).
 */
export function pythonSignature(tool: Tool): string {
  const params = tool.parameters;
  const kwOnly = keywordOnlyStart(params);
  const parts: string[] = [];
  params.forEach((p, i) => {
    // After `*args` parameters are keyword-only already; elsewhere a bare `*` marks them.
    if (i === kwOnly && !params[i - 1]?.variadic) parts.push("*");
    parts.push(pythonParameter(p, tool.inputSchema));
  });
  const returns = tool.outputSchema ? pythonTypeHint(tool.outputSchema, tool.outputSchema) : "Any";
  return `${tool.name}(${parts.join(", ")}) -> ${returns}`;
}

/**
 * One parameter as Python: `limit: int = 10`, `note: str | None = None`, `*rest: Any`.
 * `root` (the tool's input schema) resolves `$ref`s into its `$defs`.
 */
export function pythonParameter(p: ToolParameter, root?: JsonSchema): string {
  if (p.variadic) {
    const items = (p.schema as { items?: unknown }).items;
    return `*${p.name}: ${pythonTypeHint(items, root)}`;
  }
  const hint = pythonTypeHint(p.schema, root);
  if (p.required) return `${p.name}: ${hint}`;
  if (p.hasDefault) {
    const literal = pythonLiteral(p.defaultValue);
    if (literal === "None") return `${p.name}: ${optionalHint(hint)} = None`;
    if (literal !== undefined) {
      // A default outside the declared type would make the stub itself fail type checking.
      const fits = validateJsonSchema(p.schema, p.defaultValue).length === 0;
      return `${p.name}: ${fits ? hint : "Any"} = ${literal}`;
    }
  }
  // Optional without a (showable) default: Python's convention is `= None`; binding treats
  // an explicit None like a missing argument, so the tool's own default applies.
  return `${p.name}: ${optionalHint(hint)} = None`;
}

/**
 * Google-style docstring text (unquoted, unindented): the description, an `Args:` section
 * for parameters that have descriptions, and `Returns:` when the output schema has one.
 */
export function pythonDocstring(tool: Tool): string {
  const sections: string[] = [];
  const description = cleanDoc(tool.description);
  if (description) sections.push(description);
  const args = tool.parameters.flatMap((p) => {
    const text = describe(p.schema);
    return text ? [`    ${p.variadic ? "*" : ""}${p.name}: ${indentRest(text, 8)}`] : [];
  });
  if (args.length > 0) sections.push(["Args:", ...args].join("\n"));
  const returns = tool.outputSchema ? describe(tool.outputSchema) : undefined;
  if (returns) sections.push(`Returns:\n    ${indentRest(returns, 4)}`);
  return sections.join("\n\n");
}

/**
 * A Python module declaring every tool (and `parallel_map`) for Monty's type checker:
 * put it before the generated code. Bodies are `raise NotImplementedError`, as Monty
 * requires of stubs for external functions.
 */
export function pythonStub(tools: readonly Tool[]): string {
  const blocks = tools.map((tool) => stubFunction(pythonSignature(tool), pythonDocstring(tool)));
  blocks.push(stubFunction(PARALLEL_MAP_SIGNATURE, PARALLEL_MAP_DOC));
  return `from typing import Any, Literal\n\n\n${blocks.join("\n\n\n")}\n`;
}

function stubFunction(signature: string, docstring: string): string {
  const lines = [`def ${signature}:`];
  if (docstring) {
    const body = indentRest(escapeDocstring(docstring), 4);
    // PEP 257: a multi-line docstring's closing quotes go on a line of their own.
    lines.push(body.includes("\n") ? `    """${body}\n    """` : `    """${body}"""`);
  }
  lines.push("    raise NotImplementedError");
  return lines.join("\n");
}

/**
 * Makes text safe inside `"""..."""`: backslashes doubled (so `\N` or `\x` are not
 * escapes), and quote runs that could close the string (`""`+, or one at the end) escaped.
 */
export function escapeDocstring(text: string): string {
  return text
    .replace(/\\/g, "\\\\")
    .replace(/\0/g, "\\x00")
    .replace(/"{2,}|"$/g, (run) => run.replace(/"/g, '\\"'));
}

function describe(schema: unknown): string | undefined {
  const d = (schema as { description?: unknown } | undefined)?.description;
  return typeof d === "string" && d.trim() !== "" ? cleanDoc(d) : undefined;
}

/**
 * Like Python's inspect.cleandoc: trims, and removes the indentation that template
 * literals in indented JS code give every line after the first.
 */
function cleanDoc(text: string): string {
  const lines = text.trim().split(/\r?\n/);
  const indents = lines
    .slice(1)
    .filter((l) => l.trim() !== "")
    .map((l) => /^[ \t]*/.exec(l)?.[0].length ?? 0);
  const margin = indents.length > 0 ? Math.min(...indents) : 0;
  return lines.map((l, i) => (i === 0 ? l : l.slice(margin)).trimEnd()).join("\n");
}

/** Indents every line but the first (which follows a label or the opening quotes). */
function indentRest(text: string, spaces: number): string {
  const pad = " ".repeat(spaces);
  return text
    .split(/\r?\n/)
    .map((line, i) => (i === 0 || line.trim() === "" ? line.trimEnd() : pad + line.trimEnd()))
    .join("\n");
}
