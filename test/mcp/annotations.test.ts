/**
 * Tool annotations read from a real MCP server over stdio: each imported tool carries the
 * hints its server listed, so codemode knows which calls are safe to run again.
 */
import { CodeModeAgent, execute } from "codemode";
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

describe("an agent's retry over a real MCP server's tools", () => {
  let set: McpToolSet;
  beforeAll(async () => {
    set = await mcpTools(stdioFixture("ledger"));
  });
  afterAll(() => set?.close());

  it("replays the refund (no annotations saying otherwise) and re-runs the read-only and idempotent tools", async () => {
    const first = `b = get_balance()
l = set_limit(amount=50)
r = refund(order_id=7, amount=20)
d = {}
d["missing"]`;
    const second = `b = get_balance()
l = set_limit(amount=50)
r = refund(order_id=7, amount=20)
{"summary": f"balance {r['balance']}"}`;
    const replies = [first, second].map((code) => `\`\`\`python\n${code}\n\`\`\``);
    const agent = new CodeModeAgent({
      tools: set,
      callLlm: async () => replies.shift() ?? "",
      isolation: "in-process",
    });
    const result = await agent.run("Refund 20 on order 7");
    expect(result.summary).toBe("balance 80");
    const counts = await execute("calls()", { tools: set, isolation: "in-process" });
    expect(counts.ok && counts.value).toEqual({ get_balance: 2, set_limit: 2, refund: 1 });
    expect(result.toolCalls.filter((c) => c.replayed).map((c) => c.name)).toEqual(["refund"]);
  });
});
