/**
 * How a tool looks from Python: its signature line, its docstring, and a stub module that
 * Monty's type checker reads before the generated code. The signature is also what the
 * model sees in the prompt, so it has to be both valid Python and the truth about how
 * `bindArguments` will treat a call.
 */

import { splitTopLevel } from "../../sandbox/type-text.js";
import { keywordOnlyStart } from "../define/parameters.js";
import { validateJsonSchema } from "../schema/validate.js";
import type { JsonSchema, Tool, ToolParameter } from "../types.js";
import {
  type HintOptions,
  optionalHint,
  pascalCase,
  pythonLiteral,
  pythonTypeHint,
} from "./type-hints.js";
import {
  PythonTypeScope,
  TYPING_NAMES,
  type TypedDictDeclaration,
  typedDictSource,
} from "./typed-dicts.js";

/** Signature of the `parallel_map` builtin the sandbox provides beside the tools. */
export const PARALLEL_MAP_SIGNATURE =
  "parallel_map(tool: Any, *iterables: Any, concurrency: int | None = None, " +
  "return_exceptions: bool = False, **kwargs: Any) -> list[Any]";

const PARALLEL_MAP_DOC = `Call \`tool\` once per item of the iterables (like map()), running the calls
concurrently, and return the results in order.

Args:
    tool: A tool function, e.g. fetch_data.
    *iterables: One iterable per positional argument of the tool.
    concurrency: At most this many calls at once (None: the default limit).
    return_exceptions: Put a failed call's exception in the result list instead of raising it.
    **kwargs: Passed to every call, e.g. parallel_map(get_orders, ids, since="2025-01-01").`;

/**
 * `fetch_data(dataset: str, limit: int = 10) -> list[dict[str, Any]]`. Parameters keep the
 * schema's order; a required one after an optional one becomes keyword-only (after `*`).
 * Objects with known properties appear as TypedDict names (`get_user(id: int) ->
 * GetUserResult`) named for this tool alone; for a tool set use `pythonSignatures`, which
 * keeps names unique across the set, and `pythonTypedDicts` to declare them.
 */
export function pythonSignature(tool: Tool): string {
  return render([tool]).tools[0]!.signature;
}

/** The signatures of `tools`, in order, with TypedDict names resolved across the set. */
export function pythonSignatures(tools: readonly Tool[]): string[] {
  return render(tools).tools.map((t) => t.signature);
}

/**
 * The TypedDict declarations the signatures of `tools` refer to, as Python source (`class
 * GetUserResult(TypedDict): ...`), or "" when every type is a plain one.
 */
export function pythonTypedDicts(tools: readonly Tool[]): string {
  return render(tools).types;
}

/**
 * What the model is told about the tools: one `- signature` line per tool with its
 * docstring indented below, then the TypedDicts the signatures use. "" for no tools.
 */
export function pythonToolListing(tools: readonly Tool[]): string {
  const set = render(tools);
  const functions = set.tools.map(listingEntry);
  if (set.types === "") return functions.join("\n");
  return `${functions.join("\n")}\n\n${TYPES_NOTE}\n${set.types}`;
}

/**
 * What `pythonToolListing(tools)` says about the one tool `name`: its `- signature` line and
 * docstring, then the TypedDicts it names (directly or through their fields), with the
 * class names of the whole set, so they match the type-check stub. `undefined` when no tool
 * has that name. This is what the sandbox's `describe_tool(name)` returns.
 */
export function pythonToolDescription(tools: readonly Tool[], name: string): string | undefined {
  const set = render(tools);
  const entry = set.tools.find((t) => t.tool.name === name);
  if (!entry) return undefined;
  const line = listingEntry(entry);
  const used = typedDictsNamedBy(entry.signature, set.declarations);
  if (used.length === 0) return line;
  return `${line}\n\n${TYPES_NOTE}\n${used.map(typedDictSource).join("\n\n")}`;
}

function listingEntry({ tool, signature, docstring }: RenderedTool): string {
  const indented = docstring ? `\n${docstring.replace(/^/gm, "    ")}` : "";
  const mark = approvalMark(tool);
  return `- ${signature}${mark ? `  ${mark}` : ""}${indented}`;
}

/**
 * How the listings mark a tool a person must approve: `[needs approval]` (every call), `[may
 * need approval]` (`needsApproval` is a function of the arguments), `""` for the rest.
 */
export function approvalMark(tool: Tool): string {
  if (tool.needsApproval === undefined || tool.needsApproval === false) return "";
  return tool.needsApproval === true ? "[needs approval]" : "[may need approval]";
}

/** The declarations `text` refers to, and those their fields refer to, in declaration order. */
function typedDictsNamedBy(
  text: string,
  declarations: readonly TypedDictDeclaration[],
): TypedDictDeclaration[] {
  const byName = new Map(declarations.map((d) => [d.name, d]));
  const used = new Set<string>();
  const visit = (source: string) => {
    for (const [word] of source.matchAll(/\b[A-Za-z_][A-Za-z0-9_]*\b/g)) {
      const declaration = byName.get(word);
      if (!declaration || used.has(word)) continue;
      used.add(word);
      for (const field of declaration.fields) visit(field.hint);
    }
  };
  visit(text);
  return declarations.filter((d) => used.has(d.name));
}

const TYPES_NOTE =
  "Types used above (TypedDicts: the dicts tools take and return, with these keys; a " +
  "NotRequired key may be missing, so use .get() for it). They are type names only: " +
  'build plain dict literals, and add keys to a copy: {**row, "extra": value}.';

interface RenderedTool {
  readonly tool: Tool;
  /** For the prompt: TypedDicts for objects. */
  readonly signature: string;
  /** For the type checker: arguments loosened to Mapping/Sequence (see `HintOptions.loose`). */
  readonly stubSignature: string;
  readonly docstring: string;
}

interface RenderedToolSet {
  readonly tools: readonly RenderedTool[];
  readonly types: string;
  readonly declarations: readonly TypedDictDeclaration[];
  /** `pythonStub` of the set, made on first use. */
  stub?: string;
}

// normalizeTools returns one frozen array per agent/run: render it once. Only frozen arrays
// are cached, so a caller's array that changes later is never served stale text.
const renderedSets = new WeakMap<readonly Tool[], RenderedToolSet>();

function render(tools: readonly Tool[]): RenderedToolSet {
  const cached = renderedSets.get(tools);
  if (cached) return cached;
  const scope = new PythonTypeScope(tools.map((t) => t.name));
  const rendered = tools.map((tool): RenderedTool => {
    const typed = signatureOf(tool, { scope });
    return {
      tool,
      signature: typed,
      stubSignature: signatureOf(tool, { scope, loose: true }),
      docstring: pythonDocstring(tool),
    };
  });
  const set: RenderedToolSet = {
    tools: Object.freeze(rendered),
    types: scope.source(),
    declarations: scope.declarations,
  };
  if (Object.isFrozen(tools)) renderedSets.set(tools, set);
  return set;
}

function signatureOf(tool: Tool, options: HintOptions): string {
  const params = tool.parameters;
  const kwOnly = keywordOnlyStart(params);
  const base = pascalCase(tool.name) || "Tool";
  const paramOptions = { ...options, rootName: `${base}Params` };
  const parts: string[] = [];
  params.forEach((p, i) => {
    // After `*args` parameters are keyword-only already; elsewhere a bare `*` marks them.
    if (i === kwOnly && !params[i - 1]?.variadic) parts.push("*");
    parts.push(
      pythonParameter(p, tool.inputSchema, {
        ...paramOptions,
        name: `${base}Params${pascalCase(p.name)}`,
      }),
    );
  });
  // Results are never loosened: the checker should know the exact keys a tool returns.
  const resultOptions = { scope: options.scope, name: `${base}Result` };
  const returns = tool.outputSchema
    ? pythonTypeHint(tool.outputSchema, tool.outputSchema, resultOptions)
    : "Any";
  return `${tool.name}(${parts.join(", ")}) -> ${returns}`;
}

/**
 * One parameter as Python: `limit: int = 10`, `note: str | None = None`, `*rest: Any`.
 * `root` (the tool's input schema) resolves `$ref`s into its `$defs`; `options` names
 * TypedDicts (see `pythonTypeHint`).
 */
export function pythonParameter(
  p: ToolParameter,
  root?: JsonSchema,
  options: HintOptions = {},
): string {
  if (p.variadic) {
    const items = (p.schema as { items?: unknown }).items;
    const name = options.name === undefined ? undefined : `${options.name}Item`;
    return `*${p.name}: ${pythonTypeHint(items, root, { ...options, name })}`;
  }
  const hint = pythonTypeHint(p.schema, root, options);
  if (p.required) return `${p.name}: ${hint}`;
  if (p.hasDefault) {
    const literal = pythonLiteral(p.defaultValue);
    if (literal === "None") return `${p.name}: ${optionalHint(hint)} = None`;
    if (literal !== undefined) {
      // A default outside the declared type would make the stub itself fail type checking.
      const fits = validateJsonSchema(p.schema, p.defaultValue, root ?? p.schema).length === 0;
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
 * requires of stubs for external functions. TypedDicts are declared first; arguments are
 * loosened to `Mapping`/`Sequence` so dicts built in variables and other tools' results
 * pass, while results keep their TypedDicts so a wrong key is caught.
 */
export function pythonStub(tools: readonly Tool[]): string {
  const set = render(tools);
  set.stub ??= stubSource(set);
  return set.stub;
}

function stubSource(set: RenderedToolSet): string {
  const blocks = set.tools.map((t) => stubFunction(t.stubSignature, t.docstring));
  blocks.push(stubFunction(PARALLEL_MAP_SIGNATURE, PARALLEL_MAP_DOC));
  const body = `${set.types === "" ? "" : `${set.types}\n\n\n`}${blocks.join("\n\n\n")}\n`;
  const used = TYPING_NAMES.filter(
    (name) => name === "Any" || name === "Literal" || new RegExp(`\\b${name}\\b`).test(body),
  );
  return `from typing import ${used.join(", ")}\n\n\n${body}`;
}

/**
 * For the type checker only: `parallel_map` overloads for the tools `names` (those a
 * program maps), each taking that tool (or its name) and its parameters as optional
 * keywords, then one taking any tool and no extra keywords. Placed after `pythonStub(tools)`,
 * they check `parallel_map(get_orders, ids, since=2025)` against `get_orders`'s signature.
 * `""` when none of `names` is a tool of the set.
 */
export function parallelMapOverloads(tools: readonly Tool[], names: Iterable<string>): string {
  const set = render(tools);
  const wanted = new Set(names);
  const blocks: string[] = [];
  for (const { tool, stubSignature } of set.tools) {
    if (!wanted.has(tool.name)) continue;
    const open = stubSignature.indexOf("(");
    const close = closingParenthesis(stubSignature, open);
    const params = splitTopLevel(stubSignature.slice(open + 1, close), ",");
    const returns = stubSignature.slice(close + 1).replace(/^\s*->\s*/, "") || "Any";
    const protocol = `_ParallelMap_${tool.name}`;
    const keywords = params.flatMap((p) => {
      if (p === "*" || p === "/") return [];
      if (p.startsWith("**")) return ["**kwargs: Any"];
      if (p.startsWith("*")) return [];
      return [`${splitTopLevel(p, "=")[0]} = ...`];
    });
    blocks.push(
      `class ${protocol}(_Protocol):\n    def __call__(self, ${params.join(", ")}) -> ${returns}: ...\n` +
        `@_overload\ndef parallel_map(tool: ${protocol} | Literal[${JSON.stringify(tool.name)}], ${PARALLEL_MAP_FIXED}${keywords.map((k) => `, ${k}`).join("")}) -> list[Any]: ...`,
    );
  }
  if (blocks.length === 0) return "";
  return [
    "from typing import Any, Literal, Protocol as _Protocol, overload as _overload",
    ...blocks,
    `@_overload\ndef parallel_map(tool: Any, ${PARALLEL_MAP_FIXED}) -> list[Any]: ...`,
    `def ${PARALLEL_MAP_SIGNATURE}:\n    raise NotImplementedError`,
  ].join("\n");
}

const PARALLEL_MAP_FIXED =
  "*iterables: Any, concurrency: int | None = None, return_exceptions: bool = False";

function closingParenthesis(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === "(" || text[i] === "[") depth += 1;
    else if (text[i] === ")" || text[i] === "]") {
      depth -= 1;
      if (depth === 0) return i;
    }
  }
  return text.length;
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
