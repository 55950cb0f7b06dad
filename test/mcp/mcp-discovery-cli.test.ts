/**
 * `codemode mcp` in front of a 500-tool MCP server: run_python's description lists names
 * only and says how to look the rest up, programs search and call, and `ask` (a replayed
 * model) searches in turn 1 and calls the match in turn 2. Runs dist/: build first.
 */
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, FIXTURES } from "./helpers.js";

const structured = (result: unknown) =>
  (result as { structuredContent?: Record<string, unknown> }).structuredContent;

describe("codemode mcp over a 500-tool server", () => {
  let client: Client;
  beforeAll(async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [
        CLI,
        "mcp",
        "--tools",
        join(FIXTURES, "catalog-backed-tools.ts"),
        "--model",
        `replay:${join(FIXTURES, "ask-discovery-replay.jsonl")}`,
      ],
      stderr: "pipe",
    });
    client = new Client({ name: "test", version: "1.0.0" });
    await client.connect(transport);
  });
  afterAll(() => client?.close());

  it("run_python lists names only and tells how to look up the rest; ask lists names too", async () => {
    const { tools } = await client.listTools();
    const runPython = tools.find((t) => t.name === "run_python")!;
    const description = runPython.description ?? "";
    expect(description).toContain("Available functions (500):");
    expect(description).toContain(
      "- crm_get_deal: Get one deal from Crm by id, with all its fields.",
    );
    expect(description).toContain("search_tools(query, limit=10)");
    expect(description).not.toContain("class CrmDeal(TypedDict)");
    const ask = tools.find((t) => t.name === "ask")!;
    expect(ask.description).toContain("- crm_get_deal: Get one deal");
    expect(ask.description).not.toContain("class CrmDeal(TypedDict)");
    // Far below the full listing of the same tools.
    expect(description.length).toBeLessThan(60_000);
  });

  it("run_python programs search, describe and call, type-checked against every tool", async () => {
    const found = await client.callTool({
      name: "run_python",
      arguments: {
        code: 'm = search_tools("get a deal from the crm", limit=1)[0]\n[m["name"], describe_tool(m["name"]).splitlines()[0], crm_get_deal("d-9")["id"]]',
      },
    });
    expect(found.isError).toBeFalsy();
    expect(structured(found)).toMatchObject({
      ok: true,
      value: ["crm_get_deal", "- crm_get_deal(deal_id: str) -> CrmDeal", "d-9"],
      toolCalls: { count: 3, byTool: { search_tools: 1, describe_tool: 1, crm_get_deal: 1 } },
    });
    const wrong = await client.callTool({
      name: "run_python",
      arguments: { code: "crm_get_deal(deal_id=9)" },
    });
    expect(wrong.isError).toBe(true);
    expect(structured(wrong)).toMatchObject({
      ok: false,
      error: { type: "TypeCheckError", line: 1 },
      toolCalls: { count: 0 },
    });
  });

  it("ask searches in turn 1 and calls the tool it found in turn 2", async () => {
    const result = await client.callTool({
      name: "ask",
      arguments: { question: "Refund 12.50 EUR for order 7." },
    });
    expect(result.isError).toBeFalsy();
    expect(structured(result)).toMatchObject({
      ok: true,
      summary: "Refund refund-1 is open",
      turns: 2,
      toolCalls: { count: 2, byTool: { search_tools: 1, billing_create_refund: 1 } },
    });
  });
});
