/**
 * What we ship and show uses the names we recommend: no use of a name we marked
 * `@deprecated` (the agent's flat option aliases, e.g. `maxTurns` for `turns.maxTurns`) in
 * src/, examples/ or the code blocks of README.md and docs/*.md. The aliases still work for
 * users (test/agent/grouped-options.test.ts and its durable and MCP twins exercise them;
 * test/ is outside this check).
 */
import { describe, expect, it } from "vitest";
import { deprecatedUses } from "./deprecated-uses.js";

/** Files that read the aliases on purpose, and why. */
const ALIAS_READERS: Record<string, string> = {
  "src/agent/options.ts": "resolves each flat alias into its group",
  "src/durable/service.ts":
    "refuses onApproval and merges limits into sandbox.limits, flat or grouped",
};

describe("no deprecated names in our own code", () => {
  it("src/, examples/ and the docs' code blocks use none", () => {
    const uses = deprecatedUses(new Set(Object.keys(ALIAS_READERS)));
    expect(uses.map((use) => `${use.where}: ${use.name} is deprecated`)).toEqual([]);
  }, 60_000);
});
