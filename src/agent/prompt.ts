import type { SideEffect } from "../execute/types.js";
import { SANDBOX_PYTHON_RULES } from "../sandbox/python-rules.js";
import { fullListingTokens, toolListingSection } from "../tools/discovery/listing.js";
import { approvalMark } from "../tools/python/signature.js";
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
  return `You work in turns (at most ${maxTurns}). Reply with one \`\`\`python block, which runs, or with plain text, which is your final answer.
- A program whose value is a dict with "summary" ends the run: that dict is your answer. Any other value is a look: its value, printed output and tool calls come back, and you write the next program.
- To check something first (what a tool returns, what the data holds), look: end the program with what you want to see (e.g. rows[:3]), not with the answer.
- Top-level variables holding data (numbers, strings, lists, dicts, tuples, sets, dates, None) carry over to later programs: reuse them instead of calling tools again. Functions and imports do not: define or import them again.`;
}

/** What the type check stops, for agents that run it (the default). */
export const TYPE_CHECK_NOTE =
  "Programs are type-checked against these signatures before they run: an unknown function, a wrong argument type or count, an unknown keyword, or reading a key a TypedDict lacks stops the program (with its line) and nothing runs.";

/** For tool sets with tools marked for approval. */
export const APPROVAL_NOTE =
  "A person approves each call of a function marked [needs approval] (or, for some arguments, [may need approval]) before it runs. A denied call raises `PermissionError` (its message may give the reason): do not try to reach the same result another way; tell the user it was not done, and why.";

/**
 * The date line: the sandbox has no clock, so "today", "overdue" or "the last 30 days"
 * need it. Last in the prompt, so the part before it stays the same from day to day.
 */
export function todayNote(now: Date): string {
  const iso = now.toISOString().slice(0, 10);
  const [year, month, day] = iso.split("-").map(Number);
  return `Today is ${iso} (UTC); the sandbox has no clock, so use this date for "today" or "the last 30 days": \`date(${year}, ${month}, ${day})\`.`;
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
      "turns.maxTurns is 1: a compact listing needs a turn to look tools up. Set turns: { maxTurns: 2 } or more " +
      '(toolListing "auto" then lists names only), or toolListing: "full" to keep this listing ' +
      "without this warning.",
  };
}

/**
 * The system prompt, in Flyte's order (prefix, functions, sandbox rules, result shape,
 * skills), with what codemode adds: what the type check stops, what approval means, and
 * today's date last. Everything before the date is the same for every call of an agent, so
 * providers that cache a prompt's longest stable start (OpenAI) can reuse it.
 */
export function buildSystemPrompt(options: {
  prefix?: string | undefined;
  tools: readonly Tool[];
  skills: readonly string[];
  /** Above 1, the prompt explains the turn loop. Default 1. */
  maxTurns?: number;
  /** Default `"full"`. */
  toolListing?: "full" | "compact";
  /** Whether programs are type-checked before they run (say what that stops). Default `true`. */
  typeCheck?: boolean;
  /** Today's date, for the date line. Default: none (no date line). */
  now?: Date | undefined;
}): string {
  const parts = [options.prefix ?? DEFAULT_SYSTEM_PROMPT_PREFIX];
  // Signatures, docstrings and the TypedDicts they name, resolved across the whole set.
  parts.push(toolListingSection(options.tools, options.toolListing ?? "full"));
  parts.push(SANDBOX_PYTHON_RULES);
  const notes = [
    ...(options.typeCheck !== false ? [TYPE_CHECK_NOTE] : []),
    ...(options.tools.some((t) => approvalMark(t) !== "") ? [APPROVAL_NOTE] : []),
  ];
  if (notes.length > 0) parts.push(notes.join("\n"));
  const maxTurns = options.maxTurns ?? 1;
  parts.push(
    maxTurns > 1
      ? `${RESULT_INSTRUCTIONS.slice(0, RESULT_INSTRUCTIONS.lastIndexOf("\n"))}\n${loopInstructions(maxTurns)}`
      : RESULT_INSTRUCTIONS,
  );
  if (options.skills.length > 0) {
    parts.push(`Additional skills / context:\n${options.skills.join("\n\n")}`);
  }
  if (options.now !== undefined) parts.push(todayNote(options.now));
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
