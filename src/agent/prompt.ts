import { SANDBOX_PYTHON_RULES } from "../sandbox/python-rules.js";
import { pythonToolListing } from "../tools/signature.js";
import type { Tool } from "../tools/types.js";

export const DEFAULT_SYSTEM_PROMPT_PREFIX =
  "You are a helpful assistant. Write Python code to accomplish the user's request.";

export const RESULT_INSTRUCTIONS = `Return a dict with relevant result keys.
- "summary": a short answer for the user, in Markdown (required).
- "charts" (optional): a list of Chart.js configurations (dicts with "type" and "data") or HTML strings.
Write the program as one \`\`\`python fenced block.`;

/** The system prompt, in the seed's order: prefix, functions, sandbox rules, result shape, skills. */
export function buildSystemPrompt(options: {
  prefix?: string | undefined;
  tools: readonly Tool[];
  skills: readonly string[];
}): string {
  const parts = [options.prefix ?? DEFAULT_SYSTEM_PROMPT_PREFIX];
  // Signatures, docstrings and the TypedDicts they name, resolved across the whole set.
  const functions = pythonToolListing(options.tools);
  parts.push(`Available functions:\n${functions !== "" ? functions : "(none)"}`);
  parts.push(SANDBOX_PYTHON_RULES);
  parts.push(RESULT_INSTRUCTIONS);
  if (options.skills.length > 0) {
    parts.push(`Additional skills / context:\n${options.skills.join("\n\n")}`);
  }
  return parts.join("\n\n");
}

/** The user message asking for a fix after a failed attempt. */
export function retryMessage(error: string, code: string, output: string): string {
  const printed = output.trim()
    ? `\n\nPrinted output before the failure:\n${output.length > 2000 ? `${output.slice(0, 2000)}\n[...]` : output}`
    : "";
  return `The code failed with this error:\n${error}${printed}\n\nFailed code:\n\`\`\`python\n${code}\n\`\`\`\n\nFix the code and reply with the complete corrected program in one \`\`\`python block.`;
}
