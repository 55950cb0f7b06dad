/** Python programs in tests: model replies that carry one, and running one as the agent does. */
import { type ExecutionResult, execute, type ToolSetInput } from "codemode";

/**
 * A reply holding `code` in a ```python fence; `prose` (e.g. "Let me check.") goes before
 * it, as a model writes it. `code` may be given as lines.
 */
export function py(code: string | readonly string[], prose?: string): string {
  const body = typeof code === "string" ? code : code.join("\n");
  const fence = `\`\`\`python\n${body}\n\`\`\``;
  return prose === undefined ? fence : `${prose}\n\n${fence}\n`;
}

/** A {@link py} that always puts `prose` first: `const py = pyAfter("Let me check.")`. */
export const pyAfter =
  (prose: string) =>
  (code: string | readonly string[]): string =>
    py(code, prose);

/** Runs the program given as `lines` against `tools`, type-checked first (as the agent runs it). */
export function runTypeChecked(
  tools: ToolSetInput,
  lines: readonly string[],
): Promise<ExecutionResult> {
  return execute(lines.join("\n"), { tools, typeCheck: true });
}
