import type { SideEffect } from "../execute/types.js";
import { SANDBOX_PYTHON_RULES } from "../sandbox/python-rules.js";
import { fullListingTokens, toolListingSection } from "../tools/discovery.js";
import type { Tool } from "../tools/types.js";
import { retryEffectsNote } from "./effects-text.js";
import { fenced } from "./observation.js";

export const DEFAULT_SYSTEM_PROMPT_PREFIX =
  "You are a helpful assistant. Write Python code to accomplish the user's request.";

export const RESULT_INSTRUCTIONS = `Return a dict with relevant result keys.
- "summary": a short answer for the user, in Markdown (required).
- "charts" (optional): a list of Chart.js configurations (dicts with "type" and "data") or HTML strings.
Write the program as one \`\`\`python fenced block.`;

/**
 * How the turn loop works, for `maxTurns > 1` (replaces the last line of the result shape).
 * Kept short: every turn sends it again.
 */
export function loopInstructions(maxTurns: number): string {
  return `You work in turns (at most ${maxTurns}). Each reply is either one \`\`\`python block, which runs, or plain text, which is your final answer.
- Not sure what a tool returns or what the data holds? Look first: end the program with what you want to see (e.g. rows[:3]); its value, printed output and tool calls come back, and you write the next program.
- When you can answer, end the program with the dict above, or reply in plain text.
- Top-level variables holding data (numbers, strings, lists, dicts, tuples, sets, dates, None) carry over to later programs: reuse them instead of calling tools again. Functions and imports do not: define or import them again.`;
}

/**
 * What `toolListing` comes to for these tools: `"auto"` is compact when the full listing
 * passes `budget` tokens (UTF-8 bytes / 4) and the turn loop is on (the model needs a turn
 * to look tools up); with one turn it stays full, with a warning when over budget.
 */
export function resolveToolListing(options: {
  tools: readonly Tool[];
  toolListing: "full" | "compact" | "auto";
  maxTurns: number;
  budget: number;
}): { listing: "full" | "compact"; warning?: string } {
  const { tools, toolListing, maxTurns, budget } = options;
  if (toolListing !== "auto") return { listing: toolListing };
  const tokens = fullListingTokens(tools);
  if (tokens <= budget) return { listing: "full" };
  if (maxTurns > 1) return { listing: "compact" };
  return {
    listing: "full",
    warning:
      `codemode: the tool listing of ${tools.length} tools is about ${tokens} tokens (bytes / 4), ` +
      `past toolListingBudget (${budget}), and every LLM call sends it. It stays in full because ` +
      "maxTurns is 1: a compact listing needs a turn to look tools up. Set maxTurns: 2 or more " +
      '(toolListing "auto" then lists names only), or toolListing: "full" to keep this listing ' +
      "without this warning.",
  };
}

/** The system prompt, in Flyte's order: prefix, functions, sandbox rules, result shape, skills. */
export function buildSystemPrompt(options: {
  prefix?: string | undefined;
  tools: readonly Tool[];
  skills: readonly string[];
  /** Above 1, the prompt explains the turn loop. Default 1. */
  maxTurns?: number;
  /** Default `"full"`. */
  toolListing?: "full" | "compact";
}): string {
  const parts = [options.prefix ?? DEFAULT_SYSTEM_PROMPT_PREFIX];
  // Signatures, docstrings and the TypedDicts they name, resolved across the whole set.
  parts.push(toolListingSection(options.tools, options.toolListing ?? "full"));
  parts.push(SANDBOX_PYTHON_RULES);
  const maxTurns = options.maxTurns ?? 1;
  parts.push(
    maxTurns > 1
      ? `${RESULT_INSTRUCTIONS.slice(0, RESULT_INSTRUCTIONS.lastIndexOf("\n"))}\n${loopInstructions(maxTurns)}`
      : RESULT_INSTRUCTIONS,
  );
  if (options.skills.length > 0) {
    parts.push(`Additional skills / context:\n${options.skills.join("\n\n")}`);
  }
  return parts.join("\n\n");
}

/** The user message asking for a fix after a failed attempt. */
export function retryMessage(
  error: string,
  code: string,
  output: string,
  effects: readonly SideEffect[] = [],
): string {
  // The error's message and the output are the program's text: fenced (see `fenced`).
  const printed = output.trim()
    ? `\n\nPrinted output before the failure:\n${fenced(output.length > 2000 ? `${output.slice(0, 2000)}\n[...]` : output)}`
    : "";
  return `The code failed with this error:\n${fenced(error)}${printed}\n\nFailed code:\n\`\`\`python\n${code}\n\`\`\`${retryEffectsNote(effects)}\n\nFix the code and reply with the complete corrected program in one \`\`\`python block.`;
}
