/**
 * How the prompt lists tools: in full (every signature, docstring and TypedDict) or compact
 * (one line per tool, for sets too large to list in full, found then with `search_tools`),
 * and what a listing costs in tokens, which `toolListing: "auto"` chooses by.
 */

import { approvalMark, pythonDocstring, pythonToolListing } from "../python/signature.js";
import type { Tool } from "../types.js";

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
