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
 * copy `[...mcp, getPrice]` keeps the tools it had when it was made.
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
  if (Array.isArray(input)) {
    input.forEach((item: unknown, i) => {
      if (!Array.isArray(item)) tools.push(toTool(item, undefined, `tools[${i}]`));
      else {
        item.forEach((inner: unknown, j) => {
          tools.push(toTool(inner, undefined, `tools[${i}][${j}]`));
        });
      }
    });
  } else if (typeof input === "object" && input !== null) {
    for (const [key, item] of Object.entries(input as Record<string, unknown>)) {
      tools.push(toTool(item, key, `tools.${key}`));
    }
  } else {
    throw new ToolDefinitionError(
      "tools must be an array of tools and functions, or a record { name: tool | function }.",
    );
  }
  toolMap(tools);
  return Object.freeze(tools);
}

/**
 * What a tool set is made of, compared to see whether it changed: the items of a list (the
 * items of a nested set included) or a record's keys and values.
 */
export function toolSetMembers(input: ToolSetInput): unknown[] {
  if (Array.isArray(input)) return input.flatMap((item: unknown) => item);
  return Object.entries(input ?? {}).flat();
}

/**
 * A tools option read again whenever it may have changed: `current()` is the normalized
 * tools, normalized afresh only when a member differs from last time (a live `mcpTools()`
 * set that added a tool, a record the caller edited). The same frozen array otherwise, so
 * stubs and listings rendered for it stay cached.
 */
export class LiveToolSet {
  private members: unknown[];
  private tools: readonly Tool[];

  constructor(private readonly input: ToolSetInput) {
    this.members = toolSetMembers(input);
    this.tools = normalizeTools(input);
  }

  current(): readonly Tool[] {
    const members = toolSetMembers(this.input);
    if (
      members.length !== this.members.length ||
      members.some((member, i) => member !== this.members[i])
    ) {
      this.tools = normalizeTools(this.input);
      this.members = members;
    }
    return this.tools;
  }
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
