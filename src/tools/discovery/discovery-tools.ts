/**
 * Finding tools from inside the program, for tool sets too large to list in full:
 * `search_tools(query, limit=10)` ranks the tools by words (BM25 over their names split at
 * `_` and camelCase, their descriptions and their parameters' names and descriptions) and
 * `describe_tool(name)` gives one tool's listing as the prompt would have shown it. Both
 * are ordinary tools over the set they were made for: deterministic, local, no model.
 */
import { ToolDefinitionError, ToolError } from "../../errors.js";
import { closestName, quoteShort } from "../../sandbox/names.js";
import { defineTool, freezeTool, toolParts } from "../define/define-tool.js";
import {
  approvalMark,
  pythonDocstring,
  pythonSignatures,
  pythonToolDescription,
  pythonToolListing,
} from "../python/signature.js";
import type { Tool } from "../types.js";

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

/**
 * How the prompt and the bench count tokens: UTF-8 bytes / 4, rounded up. Close to what
 * Anthropic's and OpenAI's tokenizers give for English and code (they give 3.5-4.5 bytes
 * per token), and free to compute; a budget, not a bill.
 */
export function estimateTokens(text: string): number {
  return Math.ceil(Buffer.byteLength(text) / 4);
}

/**
 * The first paragraph of a tool's description on one line, cut to at most `max` characters;
 * with `sentence`, only its first sentence (the compact listing's line: the name says the
 * rest). A sentence ends at `.`, `!` or `?` before a space, not after an abbreviation such as
 * "e.g." and not inside parentheses; a cut falls between words, never inside an unclosed
 * parenthesis or after a dangling abbreviation, and ends with "…".
 */
export function toolSummaryLine(tool: Tool, max = 80, sentence = false): string {
  const paragraph = pythonDocstring(tool).split(/\n\s*\n/)[0] ?? "";
  let line = paragraph.replace(/\s+/g, " ").trim();
  const first = firstSentence(line);
  if (first !== undefined && (sentence || (line.length > max && first.length <= max))) {
    line = first;
  }
  if (line.length <= max) return line;
  return `${cutAtWord(line, max - 1)}…`;
}

/** Words after which a period does not end a sentence. */
const ABBREVIATION =
  /(?:^|[\s(])(?:e\.g|i\.e|etc|vs|cf|approx|incl|excl|esp|resp|no|nr|mr|mrs|ms|dr|st|fig|min|max)\.$/i;

/** Words a cut line should not end with: they lead into what was cut. */
const DANGLING_WORD =
  /\s(?:and|or|but|of|the|a|an|with|without|to|for|in|on|at|by|as|from|into|per|than)$/i;

function firstSentence(text: string): string | undefined {
  for (const match of text.matchAll(/[.!?](?=\s)/g)) {
    const candidate = text.slice(0, match.index + 1);
    if (candidate.length < 12 || ABBREVIATION.test(candidate)) continue;
    if (openParentheses(candidate) > 0) continue;
    return candidate;
  }
  return undefined;
}

/** The longest start of `text` of at most `max` characters that ends between words, tidied. */
function cutAtWord(text: string, max: number): string {
  let cut = text.slice(0, max + 1);
  const space = cut.lastIndexOf(" ");
  cut = space > 0 ? cut.slice(0, space) : cut.slice(0, max);
  for (;;) {
    const before = cut;
    if (openParentheses(cut) > 0) cut = cut.slice(0, cut.lastIndexOf("("));
    cut = cut
      .replace(ABBREVIATION, "")
      .replace(DANGLING_WORD, "")
      .replace(/[\s,;:(\-–—]+$/, "");
    if (cut === before) break;
  }
  return cut === "" ? text.slice(0, max) : cut;
}

function openParentheses(text: string): number {
  let open = 0;
  for (const c of text) {
    if (c === "(") open += 1;
    else if (c === ")" && open > 0) open -= 1;
  }
  return open;
}

/** The longest description a compact line keeps (the name carries most of what a tool does). */
const COMPACT_LINE_CHARS = 60;

/**
 * The compact listing: `- name: first sentence of its description` (cut to 60 characters),
 * one line per tool.
 */
export function compactToolListing(tools: readonly Tool[]): string {
  return tools
    .map((tool) => {
      const line = toolSummaryLine(tool, COMPACT_LINE_CHARS, true);
      const mark = approvalMark(tool);
      return `- ${tool.name}${line === "" ? "" : `: ${line}`}${mark ? ` ${mark}` : ""}`;
    })
    .join("\n");
}

/** `toolListing: "auto"` lists tools in full up to this many tokens (UTF-8 bytes / 4). */
export const DEFAULT_TOOL_LISTING_BUDGET = 10_000;

/** How the compact listing tells the model to find the rest. Kept short: every turn sends it. */
export const COMPACT_LISTING_NOTE =
  'Only names are listed. `search_tools(query, limit=10)` returns the best matches as dicts with "name", ' +
  '"signature" and "description"; `print(describe_tool(name))` prints a function\'s full signature, ' +
  "docstring and the TypedDicts it uses. Any listed function can be called in any program, the one " +
  "that looks it up included; when you need its signature to write the call, look it up first and " +
  "call it in the next program.";

/**
 * The `Available functions:` section: every signature, docstring and TypedDict (`full`), or
 * one line per tool and how to look up the rest (`compact`).
 */
export function toolListingSection(tools: readonly Tool[], listing: "full" | "compact"): string {
  if (tools.length === 0) return "Available functions:\n(none)";
  if (listing === "full") return `Available functions:\n${pythonToolListing(tools)}`;
  return `Available functions (${tools.length}):\n${compactToolListing(tools)}\n${COMPACT_LISTING_NOTE}`;
}

/** The full listing's size in tokens (UTF-8 bytes / 4): what `"auto"` compares to its budget. */
export function fullListingTokens(tools: readonly Tool[]): number {
  return estimateTokens(pythonToolListing(tools));
}

// ---------------------------------------------------------------------------------------
// The index.

const STOP_WORDS = new Set(
  "a all an and any are as at be by can do does for from has have how i in into is it its me my of on or our that the their them this to was we what which with you your".split(
    " ",
  ),
);
const K1 = 1.2;
const B = 0.75;
/** Weights of a word by where it appears: a tool's name says most about what it does. */
const NAME_WEIGHT = 3;
const PARAMETER_WEIGHT = 1.5;
const TEXT_WEIGHT = 1;

/**
 * Words of `text`, lowercased and lightly stemmed: `getUserInvoices_v2` and "user's
 * invoices" both give `user`, `invoice` (and `v2`). Stop words are dropped.
 */
export function searchTerms(text: string): string[] {
  const words = text
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/);
  const terms: string[] = [];
  for (const word of words) {
    if (word === "" || STOP_WORDS.has(word)) continue;
    terms.push(stem(word));
  }
  return terms;
}

/** Plural and a few verb endings off, so "invoices", "invoice" and "invoiced" meet. */
function stem(word: string): string {
  if (word.length <= 3 || /^[0-9]/.test(word)) return word;
  if (word.endsWith("ies") && word.length > 4) return `${word.slice(0, -3)}y`;
  if (/(ches|shes|sses|xes|zes)$/.test(word)) return word.slice(0, -2);
  if (word.endsWith("ing") && word.length > 5) return word.slice(0, -3);
  if (word.endsWith("ed") && word.length > 4) return word.slice(0, -2);
  if (word.endsWith("s") && !word.endsWith("ss") && !word.endsWith("us")) {
    return word.slice(0, -1);
  }
  return word;
}

/** Where a word of a tool appears; each field has its own weight and length normalization. */
const FIELDS = [
  { weight: NAME_WEIGHT, b: 0.5 },
  { weight: PARAMETER_WEIGHT, b: 0.5 },
  { weight: TEXT_WEIGHT, b: B },
] as const;

/**
 * A BM25F index over one tool set (built once per set, see `toolIndex`): a word counts three
 * times in a tool's name, 1.5 times in a parameter's name and once in a description, each
 * field normalized by its own length, so a long description does not bury a name that says
 * it all; the score then grows with the share of the query's words the name has.
 */
export class ToolIndex {
  /** term -> the tools that have it, with its count in each field. */
  private readonly postings = new Map<string, { doc: number; tf: number[] }[]>();
  /** Per tool, per field: its length in words. */
  private readonly lengths: number[][] = [];
  private readonly averages: number[];

  constructor(readonly tools: readonly Tool[]) {
    tools.forEach((tool, doc) => {
      const fields = [
        tool.name,
        tool.parameters.map((p) => p.name).join(" "),
        [
          tool.description,
          ...tool.parameters.map((p) => (p.schema as { description?: unknown }).description),
        ]
          .filter((d): d is string => typeof d === "string")
          .join(" "),
      ].map(searchTerms);
      const counts = new Map<string, number[]>();
      fields.forEach((terms, f) => {
        for (const term of terms) {
          let tf = counts.get(term);
          if (!tf) {
            tf = [0, 0, 0];
            counts.set(term, tf);
          }
          tf[f]! += 1;
        }
      });
      for (const [term, tf] of counts) {
        let list = this.postings.get(term);
        if (!list) {
          list = [];
          this.postings.set(term, list);
        }
        list.push({ doc, tf });
      }
      this.lengths.push(fields.map((terms) => terms.length));
    });
    this.averages = FIELDS.map((_, f) => {
      const total = this.lengths.reduce((sum, lengths) => sum + lengths[f]!, 0);
      return total / Math.max(1, tools.length) || 1;
    });
  }

  /**
   * The best `limit` tools for `query`, best first; ties keep the set's order. A query that
   * is a tool's exact name puts that tool first. Tools sharing no word with the query are
   * left out, so the list may be shorter than `limit`, or empty.
   */
  search(query: string, limit = 10): Tool[] {
    const scores = new Map<number, number>();
    /** Per tool: how many of the query's words its name has. */
    const inName = new Map<number, number>();
    const n = this.tools.length;
    const terms = new Set(searchTerms(query));
    for (const term of terms) {
      const list = this.postings.get(term);
      if (!list) continue;
      const idf = Math.log(1 + (n - list.length + 0.5) / (list.length + 0.5));
      for (const { doc, tf } of list) {
        let weighted = 0;
        FIELDS.forEach(({ weight, b }, f) => {
          if (tf[f] === 0) return;
          weighted +=
            (weight * tf[f]!) / (1 - b + (b * this.lengths[doc]![f]!) / this.averages[f]!);
        });
        scores.set(doc, (scores.get(doc) ?? 0) + (idf * weighted * (K1 + 1)) / (weighted + K1));
        if (tf[0]! > 0) inName.set(doc, (inName.get(doc) ?? 0) + 1);
      }
    }
    // A name that has every word asked for is what was asked for: up to twice the score.
    for (const [doc, score] of scores) {
      scores.set(doc, score * (1 + (inName.get(doc) ?? 0) / terms.size));
    }
    const exact = this.tools.findIndex((t) => t.name === query.trim());
    if (exact >= 0) scores.set(exact, Number.POSITIVE_INFINITY);
    return [...scores]
      .sort((x, y) => y[1] - x[1] || x[0] - y[0])
      .slice(0, limit)
      .map(([doc]) => this.tools[doc]!);
  }
}

const indexes = new WeakMap<readonly Tool[], ToolIndex>();

/** The index of a frozen tool set, built on first use and kept as long as the set lives. */
export function toolIndex(tools: readonly Tool[]): ToolIndex {
  let index = indexes.get(tools);
  if (!index) {
    index = new ToolIndex(tools);
    if (Object.isFrozen(tools)) indexes.set(tools, index);
  }
  return index;
}

// ---------------------------------------------------------------------------------------
// The two tools.

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
  // TypedDict names are those of the type-check stub.
  let all: readonly Tool[] = [];
  const signatureOf = (() => {
    let signatures: Map<string, string> | undefined;
    return (name: string) => {
      signatures ??= new Map(pythonSignatures(all).map((s, i) => [all[i]!.name, s]));
      return signatures.get(name) ?? name;
    };
  })();
  const search = builtinTool(SEARCH_TOOLS, {
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
  const describe = builtinTool(DESCRIBE_TOOL, {
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
        ? pythonToolDescription(all, wanted)
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
  all = Object.freeze([...tools, search, describe]);
  withDiscovery.set(tools, all);
  return all;
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
