/** Model replies that carry a Python program, the way the agent expects them. */

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
