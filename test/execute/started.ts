/**
 * A `started()` tool for tests that act on a program while it runs (cancel it, kill its
 * worker): the program calls `started()` first, and the test waits until it has.
 */
import { defineTool } from "codemode";
import { expect, vi } from "vitest";

export function startedTool() {
  let running = false;
  const tool = defineTool({
    name: "started",
    description: "Signals that the program is running.",
    execute: () => {
      running = true;
      return null;
    },
  });
  /** Resolves once the program has called `started()` (generous for a loaded machine). */
  const untilStarted = () =>
    vi.waitFor(() => expect(running).toBe(true), { timeout: 10_000, interval: 10 });
  return { tool, untilStarted };
}
