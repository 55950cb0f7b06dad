/**
 * The `tools` option in every form a user may write it (an array of tools and functions,
 * or a record whose keys name them) reduced to one frozen list of uniquely named tools.
 * Name clashes are caught here, before the model is told about any tool.
 */
import { ToolDefinitionError } from "../../errors.js";
import { assertToolName } from "../python/names.js";
import type { Tool } from "../types.js";
import { type AiSdkToolLike, fromAiSdkTool, isAiSdkTool } from "./ai-sdk-tool.js";
import { freezeTool, functionTool, isTool, toolParts } from "./define-tool.js";

/**
 * A tool, a plain function that becomes one through `functionTool`, or an AI SDK tool
 * (`tool({ inputSchema, execute })` from `ai`, named by its record key).
 */
export type ToolInput = Tool | AiSdkToolLike | ((...args: never[]) => unknown);

/**
 * Tools as given by the user: a list (named by each tool) or a record (named by its keys).
 * A list may hold whole tool sets (arrays of tools, such as an `mcpTools()` set) beside
 * single tools: `[mcp, getPrice]` reads the set's current tools each time, where a spread
 * copy `[...mcp, getPrice]` keeps the tools it had when it was made (and says so once, as
 * a `CODEMODE_TOOL_SOURCE_COPIED` process warning).
 */
export type ToolSetInput =
  | readonly (ToolInput | readonly ToolInput[])[]
  | Readonly<Record<string, ToolInput>>;

/**
 * One frozen array of tools. In an array each tool keeps its own name (a function its
 * `fn.name`); in a record the key is the name the Python code calls. Throws
 * ToolDefinitionError on duplicates, bad names and values that are not tools.
 */
export function normalizeTools(input: ToolSetInput): readonly Tool[] {
  const tools: Tool[] = [];
  const sources = new Set<ToolSource>();
  const loose: Tool[] = [];
  const item = (value: unknown, where: string) => {
    const tool = toTool(value, undefined, where);
    tools.push(tool);
    loose.push(tool);
  };
  if (isToolSource(input) || Array.isArray(input)) {
    const list: readonly unknown[] = isToolSource(input) ? [input] : input;
    list.forEach((entry: unknown, i) => {
      if (isToolSource(entry)) {
        sources.add(entry);
        entry.current().forEach((inner: unknown, j) => {
          tools.push(toTool(inner, undefined, `tools[${i}][${j}]`));
        });
      } else if (!Array.isArray(entry)) item(entry, `tools[${i}]`);
      else {
        entry.forEach((inner: unknown, j) => {
          item(inner, `tools[${i}][${j}]`);
        });
      }
    });
  } else if (typeof input === "object" && input !== null) {
    for (const [key, value] of Object.entries(input as Record<string, unknown>)) {
      tools.push(toTool(value, key, `tools.${key}`));
      if (isTool(value)) loose.push(value);
    }
  } else {
    throw new ToolDefinitionError(
      "tools must be an array of tools and functions, or a record { name: tool | function }.",
    );
  }
  toolMap(tools);
  warnCopies(loose, sources);
  return Object.freeze(tools);
}

/**
 * Tools that may change while they are in use: an `mcpTools()` set (its server sent
 * `tools/list_changed`), or any object with this shape. `current()` is the tools now, the
 * same frozen array until `version` changes; `version` goes up with every change. Callers
 * cache what they derive from the tools (stubs, listings) by `version` and never compare
 * the tools themselves.
 */
export interface ToolSource {
  current(): readonly Tool[];
  readonly version: number;
}

export function isToolSource(value: unknown): value is ToolSource {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { current?: unknown }).current === "function" &&
    typeof (value as { version?: unknown }).version === "number"
  );
}

/** The live source each tool came from, so a copy of its tools (`[...mcp]`) is recognized. */
const sourceOf = new WeakMap<Tool, ToolSource>();
const warnedCopies = new WeakSet<ToolSource>();

/** Marks `tools` as the tools of `source` (a live set calls this whenever its tools change). */
export function claimTools(source: ToolSource, tools: readonly Tool[]): void {
  for (const tool of tools) sourceOf.set(tool, source);
}

/**
 * A tools option that holds tools of a live source but not the source itself is a copy
 * (`[...mcp]`, `{ x: mcp[0] }`): it keeps today's tools and will not follow the source.
 * That is allowed (a deliberate snapshot) but never silent: one process warning per source.
 */
function warnCopies(tools: readonly Tool[], sources: ReadonlySet<ToolSource>): void {
  for (const tool of tools) {
    const source = sourceOf.get(tool);
    if (source === undefined || sources.has(source) || warnedCopies.has(source)) continue;
    warnedCopies.add(source);
    globalThis.process?.emitWarning?.(
      "The tools option holds tools copied out of a live tool set (such as [...mcp] from " +
        "mcpTools()): the copy keeps the tools it has now and does not follow the set when its " +
        "server changes them. Pass the set itself, tools: [mcp, ...], to follow it.",
      { code: "CODEMODE_TOOL_SOURCE_COPIED" },
    );
  }
}

/**
 * What decides whether a tools option changed: each item of a list (a nested plain list's
 * items included), a live source as itself and its `version` (its tools are not compared),
 * or a record's keys and values.
 */
function sourceKey(input: ToolSetInput): unknown[] {
  if (isToolSource(input)) return [input, input.version];
  if (Array.isArray(input)) {
    return input.flatMap((item: unknown) =>
      isToolSource(item) ? [item, item.version] : Array.isArray(item) ? item : [item],
    );
  }
  return Object.entries(input ?? {}).flat();
}

/**
 * Any tools option as one `ToolSource`: `current()` is the normalized tools, normalized
 * afresh (and `version` raised) only when the option changed: a live set in it changed
 * its version, or a list or record the caller edited has other items. The same frozen
 * array otherwise, so stubs and listings rendered for it stay cached.
 */
export class LiveToolSet implements ToolSource {
  private key: unknown[];
  private tools: readonly Tool[];
  private changes = 0;

  constructor(private readonly input: ToolSetInput) {
    this.key = sourceKey(input);
    this.tools = normalizeTools(input);
  }

  get version(): number {
    this.current();
    return this.changes;
  }

  current(): readonly Tool[] {
    const key = sourceKey(this.input);
    if (key.length !== this.key.length || key.some((part, i) => part !== this.key[i])) {
      this.tools = normalizeTools(this.input);
      this.key = key;
      this.changes += 1;
    }
    return this.tools;
  }
}

const sources = new WeakMap<object, LiveToolSet>();

/** The one `LiveToolSet` of a tools option object (a fresh one for anything else). */
export function toolSource(input: ToolSetInput): LiveToolSet {
  if (typeof input !== "object" || input === null) return new LiveToolSet(input);
  let source = sources.get(input);
  if (source === undefined) {
    source = new LiveToolSet(input);
    sources.set(input, source);
  }
  return source;
}

/** Tools by name. Throws ToolDefinitionError when two tools share a name. */
export function toolMap(tools: readonly Tool[]): Map<string, Tool> {
  const map = new Map<string, Tool>();
  for (const tool of tools) {
    if (map.has(tool.name)) {
      throw new ToolDefinitionError(
        `Duplicate tool name: ${tool.name}. Give each tool its own name, for example by ` +
          "passing tools as a record whose keys are the names.",
      );
    }
    map.set(tool.name, tool);
  }
  return map;
}

/**
 * The same tool under another name: validation, execution and schemas are the original's.
 * Used when a record key names a tool whose own name differs.
 */
export function renameTool(tool: Tool, name: string): Tool {
  assertToolName(name);
  if (tool.name === name) return tool;
  return freezeTool({ ...toolParts(tool), name });
}

function toTool(item: unknown, key: string | undefined, where: string): Tool {
  if (isTool(item)) {
    if (key !== undefined) return renameTool(item, key);
    assertToolName(item.name);
    return item;
  }
  if (typeof item === "function") {
    return functionTool(item as (...args: never[]) => unknown, key);
  }
  if (isAiSdkTool(item)) {
    if (key !== undefined) return fromAiSdkTool(key, item);
    throw new ToolDefinitionError(
      `${where} is an AI SDK tool, which has no name of its own: pass it in a record ` +
        "{ my_tool: tool({ ... }) } (the key names the Python function), or as " +
        'fromAiSdkTool("my_tool", tool({ ... })) in an array.',
    );
  }
  throw new ToolDefinitionError(
    `${where} is not a tool or a function (got ${item === null ? "null" : Array.isArray(item) ? "an array" : typeof item}): ` +
      "pass defineTool({ ... }), a function, an AI SDK tool({ ... }) or a Tool object.",
  );
}
