/**
 * Large MCP tool sets: a real 500-tool server over stdio (fixtures/catalog.mjs), an agent
 * whose prompt lists the tools compactly and whose scripted model searches in one turn and
 * calls what it found in the next, and a server that adds a tool after a call
 * (`notifications/tools/list_changed`), seen without restarting anything.
 */
import { type ChatMessage, CodeModeAgent, defineTool, execute } from "codemode";
import { type McpToolSet, mcpTools } from "codemode/mcp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { py } from "../helpers/python.js";
import { scriptedLlm as scripted } from "../helpers/scripted-llm.js";
import { stdioFixture } from "./helpers.js";

/** The names a look's observation shows from a search_tools result, in order. */
function namesSeen(messages: ChatMessage[]): string[] {
  const last = messages.at(-1)?.content ?? "";
  return [...last.matchAll(/"name":"(\w+)","signature"/g)].map((m) => m[1]!);
}

describe("an agent over a 500-tool MCP server", () => {
  let mcp: McpToolSet;
  beforeAll(async () => {
    mcp = await mcpTools(stdioFixture("catalog"));
  });
  afterAll(() => mcp?.close());

  it("lists names only, searches in turn 1 and calls the tool it found in turn 2", async () => {
    expect(mcp).toHaveLength(500);
    const model = scripted([
      () => py('search_tools("create a refund in billing", limit=3)'),
      (messages) => {
        const [best] = namesSeen(messages);
        return py(
          `r = ${best}(name="order 7", amount=12.5)\n{"summary": f"Created {r['id']} ({r['status']}) for {r['amount']} EUR"}`,
        );
      },
    ]);
    const agent = new CodeModeAgent({ tools: mcp, turns: { maxTurns: 4 }, callLlm: model.callLlm });

    expect(agent.toolListing).toBe("compact");
    expect(agent.warnings).toEqual([]);
    const prompt = agent.systemPrompt;
    expect(prompt).toContain("Available functions (500):");
    expect(prompt).toContain("- billing_create_refund: Create a refund in Billing.\n");
    expect(prompt).toContain("search_tools(query, limit=10)");
    expect(prompt).not.toContain("class BillingRefund(TypedDict)");

    const result = await agent.run("Refund 12.50 EUR for order 7.");
    expect(result.error).toBeNull();
    expect(result.turns.map((t) => t.kind)).toEqual(["look", "answer"]);
    expect(result.toolCalls.map((c) => `${c.turn}:${c.name}`)).toEqual([
      "1:search_tools",
      "2:billing_create_refund",
    ]);
    // What the model saw after turn 1: the match with its signature, TypedDict named as in the stub.
    expect(result.turns[0]!.observation).toContain(
      '"name":"billing_create_refund","signature":"billing_create_refund(name: str, owner_email: str | None = None, tags: list[str] | None = None, amount: float | None = None) -> BillingRefund"',
    );
    expect(result.summary).toBe("Created refund-1 (open) for 12.5 EUR");
  });

  it("type-checks against every tool: a wrong argument to an unlisted tool fails before it runs", async () => {
    const model = scripted([
      () => py('r = crm_get_deal(deal_id=7)\n{"summary": r["name"]}'),
      () => py('r = crm_get_deal(deal_id="7")\n{"summary": r["name"]}'),
    ]);
    const agent = new CodeModeAgent({ tools: mcp, turns: { maxTurns: 3 }, callLlm: model.callLlm });
    const result = await agent.run("Name of deal 7?");
    expect(result.attempts).toBe(2);
    expect(result.turns[0]!.attempts).toBe(2);
    // The first program never reached the server.
    expect(result.toolCalls.map((c) => `${c.attempt}:${c.name}`)).toEqual(["2:crm_get_deal"]);
    expect(result.summary).toBe("deal 1");
  });

  it("with one turn keeps the full listing, and warns that it is over budget", async () => {
    const warned: unknown[] = [];
    const original = console.warn;
    console.warn = (...args: unknown[]) => warned.push(args.join(" "));
    try {
      const agent = new CodeModeAgent({ tools: mcp, callLlm: async () => "" });
      expect(agent.toolListing).toBe("full");
      expect(agent.systemPrompt).toContain("class BillingRefund(TypedDict)");
      expect(agent.warnings).toEqual([
        expect.stringMatching(
          /^codemode: the tool listing of 500 tools is about \d+ tokens \(bytes \/ 4\), past toolListingBudget \(10000\).*Set turns: \{ maxTurns: 2 \} or more/,
        ),
      ]);
      expect(warned).toEqual(agent.warnings);
      // Compact on request, whatever the turns.
      const compact = new CodeModeAgent({
        tools: mcp,
        toolListing: "compact",
        callLlm: async () => "",
      });
      expect(compact.toolListing).toBe("compact");
      expect(compact.warnings).toEqual([]);
    } finally {
      console.warn = original;
    }
  });
});

describe("a server that adds a tool after a call", () => {
  let mcp: McpToolSet;
  beforeAll(async () => {
    mcp = await mcpTools(stdioFixture("catalog"));
  });
  afterAll(() => mcp?.close());

  it("updates the set in place; execute() finds and calls the new tool in the next program", async () => {
    const installed = await execute('extensions_install("fx")', { tools: mcp });
    expect(installed.ok && installed.value).toBe("installed fx");
    // The call returned after the set was listed again.
    expect(mcp).toHaveLength(501);
    expect(mcp.at(-1)?.name).toBe("fx_convert_amount");

    const found = await execute(
      'm = search_tools("convert currency", limit=1)[0]\n[m["name"], fx_convert_amount(100, "EUR", "USD")]',
      { tools: mcp, toolDiscovery: true, typeCheck: true },
    );
    expect(found.ok && found.value).toEqual(["fx_convert_amount", 110]);

    const removed = await execute('extensions_remove("fx")', { tools: mcp });
    expect(removed.ok).toBe(true);
    expect(mcp).toHaveLength(500);
    const gone = await execute('[m["name"] for m in search_tools("convert currency")]', {
      tools: mcp,
      toolDiscovery: true,
    });
    expect(gone.ok && gone.value).not.toContain("fx_convert_amount");
  });

  it("an agent over [mcp, a local tool] sees the new tool from its next program, in the same run", async () => {
    const localTool = defineTool({
      name: "local_note",
      description: "Keep a note.",
      inputSchema: z.object({ text: z.string() }),
      execute: ({ text }) => `noted: ${text}`,
    });
    const model = scripted([
      () => py('extensions_install("fx")'),
      () => py('search_tools("convert money currency", limit=2)'),
      (messages) =>
        py(
          `usd = ${namesSeen(messages)[0]}(amount=20, from_currency="EUR", to_currency="USD")\n{"summary": f"{usd} USD", "note": local_note("fx")}`,
        ),
    ]);
    const agent = new CodeModeAgent({
      tools: [mcp, localTool],
      turns: { maxTurns: 5 },
      callLlm: model.callLlm,
    });
    expect(agent.tools).toHaveLength(501);
    const result = await agent.run("20 EUR in USD?");
    expect(result.error).toBeNull();
    expect(result.summary).toBe("22 USD");
    expect(result.toolCalls.map((c) => `${c.turn}:${c.name}`)).toEqual([
      "1:extensions_install",
      "2:search_tools",
      "3:fx_convert_amount",
      "3:local_note",
    ]);
    expect(agent.tools).toHaveLength(502);
    // The prompt of the later calls lists the new tool too.
    expect(model.calls[0]!.system).not.toContain("- fx_convert_amount");
    expect(model.calls[2]!.system).toContain("- fx_convert_amount: Convert an amount of money");
    await execute('extensions_remove("fx")', { tools: mcp });
  });

  it("refresh() lists the tools again on demand", async () => {
    await expect(mcp.refresh()).resolves.toBeUndefined();
    expect(mcp).toHaveLength(500);
  });
});
