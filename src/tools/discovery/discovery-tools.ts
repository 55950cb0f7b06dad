/**
 * Finding tools from inside the program, for tool sets too large to list in full:
 * `search_tools(query, limit=10)` ranks the tools by words (BM25 over their names split at
 * `_` and camelCase, their descriptions and their parameters' names and descriptions) and
 * `describe_tool(name)` gives one tool's listing as the prompt would have shown it. Both
 * are ordinary tools over the set they were made for: deterministic, local, no model. The
 * ranking is search-index.ts; the listings they quote are listing.ts.
 */
import { ToolDefinitionError, ToolError } from "../../errors.js";
import { closestName, quoteShort } from "../../sandbox/names.js";
import { defineTool, freezeTool, toolParts } from "../define/define-tool.js";
import { pythonSignatures, pythonToolDescription } from "../python/signature.js";
import type { Tool } from "../types.js";
import { toolSummaryLine } from "./listing.js";
import { searchTerms, toolIndex } from "./search-index.js";

export const SEARCH_TOOLS = "search_tools";
export const DESCRIBE_TOOL = "describe_tool";
/**
 * The longest query `search_tools` reads: words to look for, not a document (a longer one
 * is refused with a ValueError, so no call holds the host's event loop).
 */
export const MAX_QUERY_CHARS = 1000;
/** The most matches one `search_tools` call returns. */
export const MAX_SEARCH_LIMIT = 50;

/** One match of `search_tools`, as the program gets it (a `ToolMatch` TypedDict). */
export interface ToolMatch {
  name: string;
  signature: string;
  description: string;
}

const withDiscovery = new WeakMap<readonly Tool[], readonly Tool[]>();

/**
 * `tools` followed by `search_tools` and `describe_tool` over them, one frozen array per
 * set (so the stub of the whole is rendered once). Throws ToolDefinitionError when a tool
 * of the set already has one of the two names.
 */
export function withToolDiscovery(tools: readonly Tool[]): readonly Tool[] {
  const known = withDiscovery.get(tools);
  if (known) return known;
  for (const name of [SEARCH_TOOLS, DESCRIBE_TOOL]) {
    if (tools.some((t) => t.name === name)) {
      throw new ToolDefinitionError(
        `A tool is named ${name}, which tool discovery uses for its own function: rename the ` +
          "tool (pass tools as a record to choose its name), or turn discovery off " +
          '(execute: toolDiscovery: false; CodeModeAgent: toolListing: "full").',
      );
    }
  }
  // Signatures and descriptions are rendered in the context of the whole set, so their
  // TypedDict names are those of the type-check stub; the whole set holds the two tools
  // themselves, so they read it when called, once it exists.
  let all: readonly Tool[] = [];
  const whole = () => all;
  all = Object.freeze([...tools, searchTool(tools, whole), describeTool(tools, whole)]);
  withDiscovery.set(tools, all);
  return all;
}

/** `search_tools(query, limit=10)`: the best matches of `tools`, with their signatures. */
function searchTool(tools: readonly Tool[], whole: () => readonly Tool[]): Tool {
  let signatures: Map<string, string> | undefined;
  // Rendered on the first search, not when the set is made: a run may never search.
  const signatureOf = (name: string) => {
    const all = whole();
    signatures ??= new Map(pythonSignatures(all).map((s, i) => [all[i]!.name, s]));
    return signatures.get(name) ?? name;
  };
  return builtinTool(SEARCH_TOOLS, {
    description:
      "Find functions by what they do: the best matches for the words of `query` (names, " +
      "descriptions, parameter names), best first. Call one with the signature shown; " +
      "describe_tool(name) gives its docstring and types.",
    inputSchema: {
      type: "object",
      properties: {
        query: { type: "string", description: 'Words, e.g. "create invoice customer".' },
        limit: {
          type: "integer",
          minimum: 1,
          maximum: MAX_SEARCH_LIMIT,
          default: 10,
          description: `How many matches at most (1-${MAX_SEARCH_LIMIT}).`,
        },
      },
      required: ["query"],
    },
    outputSchema: {
      type: "array",
      items: {
        type: "object",
        title: "ToolMatch",
        properties: {
          name: { type: "string" },
          signature: { type: "string" },
          description: { type: "string", description: "The first line of its docstring." },
        },
        required: ["name", "signature", "description"],
      },
    },
    execute: ({ query, limit }): ToolMatch[] => {
      const text = String(query);
      if (text.length > MAX_QUERY_CHARS) {
        throw new ToolError(
          `search_tools(query): the query is ${text.length} characters; ask with a few words (at most ${MAX_QUERY_CHARS} characters), e.g. search_tools("weather forecast").`,
          { pythonType: "ValueError" },
        );
      }
      if (searchTerms(text).length === 0) {
        throw new ToolError(
          `search_tools needs words to look for (got ${quoteShort(text)}), e.g. search_tools("weather forecast").`,
          { pythonType: "ValueError" },
        );
      }
      return toolIndex(tools)
        .search(text, Number(limit ?? 10))
        .map((tool) => ({
          name: tool.name,
          signature: signatureOf(tool.name),
          description: toolSummaryLine(tool, 200),
        }));
    },
  });
}

/** `describe_tool(name)`: one tool of `tools` as the full listing shows it, or a near name. */
function describeTool(tools: readonly Tool[], whole: () => readonly Tool[]): Tool {
  return builtinTool(DESCRIBE_TOOL, {
    description:
      "One function's full signature, docstring and the TypedDicts it uses, as text: " +
      "print(describe_tool(name)).",
    inputSchema: {
      type: "object",
      properties: { name: { type: "string", description: "The function's name." } },
      required: ["name"],
    },
    outputSchema: { type: "string" },
    execute: ({ name }) => {
      const wanted = String(name);
      const text = tools.some((t) => t.name === wanted)
        ? pythonToolDescription(whole(), wanted)
        : undefined;
      if (text !== undefined) return text;
      const close = closestName(
        wanted,
        tools.map((t) => t.name),
      );
      throw new ToolError(
        `There is no function named ${quoteShort(wanted)}.${close ? ` Did you mean ${JSON.stringify(close)}?` : ""} ` +
          "search_tools(query) finds functions by what they do.",
        { pythonType: "ValueError" },
      );
    },
  });
}

/** A tool under one of the sandbox's reserved names (which `defineTool` refuses to users). */
function builtinTool(
  name: string,
  definition: Omit<Parameters<typeof defineTool>[0], "name">,
): Tool {
  const tool = defineTool({ ...definition, name: "codemode_builtin" } as Parameters<
    typeof defineTool
  >[0]);
  return freezeTool({ ...toolParts(tool), name });
}
