/**
 * Tool annotations read from a real MCP server over stdio: each imported tool carries the
 * hints its server listed, so codemode knows which calls are safe to run again.
 */
import { type McpToolSet, mcpTools } from "codemode/mcp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stdioFixture } from "./helpers.js";

describe("mcpTools() keeps the server's annotations", () => {
  let set: McpToolSet;
  beforeAll(async () => {
    set = await mcpTools(stdioFixture("ledger"));
  });
  afterAll(() => set?.close());

  it("on each tool, as the server listed them", () => {
    const annotations = Object.fromEntries(set.map((t) => [t.name, t.annotations]));
    expect(annotations).toEqual({
      get_balance: { title: "Balance", readOnlyHint: true, openWorldHint: false },
      set_limit: { idempotentHint: true, destructiveHint: true, openWorldHint: false },
      refund: { destructiveHint: false, idempotentHint: false },
      close_account: undefined,
      calls: { readOnlyHint: true },
    });
  });
});
