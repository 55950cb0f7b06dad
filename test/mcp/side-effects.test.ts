/**
 * A failure reported through codemode's MCP server says which calls already changed
 * things, so the calling model does not repeat them: `run_python`'s and `ask`'s failure
 * results carry `effects`. A real MCP client (the SDK's) over an in-memory transport.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { type CallLlm, defineTool } from "codemode";
import { createCodeModeMcpServer } from "codemode/mcp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { py } from "../helpers/python.js";

const FAILS_AFTER_REFUND = 'r = refund(order_id=7, amount=20)\nd = {}\nd["missing"]';

describe("codemode's MCP server reports effects on failure", () => {
  let client: Client;
  const refunds: number[] = [];
  beforeAll(async () => {
    const refund = defineTool({
      name: "refund",
      inputSchema: z.object({ order_id: z.number(), amount: z.number() }),
      execute: ({ order_id, amount }) => {
        refunds.push(order_id);
        return { refunded: amount };
      },
    });
    const lookup = defineTool({
      name: "lookup",
      inputSchema: z.object({ order_id: z.number() }),
      annotations: { readOnlyHint: true },
      execute: ({ order_id }) => ({ order_id }),
    });
    const replies = [py(FAILS_AFTER_REFUND), py(FAILS_AFTER_REFUND)];
    const callLlm: CallLlm = async () => replies.shift() ?? "no more replies";
    const server = createCodeModeMcpServer({
      tools: [refund, lookup],
      agent: { callLlm, maxRetries: 1, isolation: "in-process" },
      isolation: "in-process",
    });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    client = new Client({ name: "test", version: "1.0.0" });
    await client.connect(clientSide);
  });
  afterAll(() => client?.close());

  it("run_python: the failed program's side-effecting calls, not its lookups", async () => {
    const result = await client.callTool({
      name: "run_python",
      arguments: { code: `lookup(order_id=7)\n${FAILS_AFTER_REFUND}` },
    });
    expect(result.isError).toBe(true);
    expect((result.structuredContent as { effects: unknown }).effects).toEqual([
      {
        tool: "refund",
        args: { order_id: 7, amount: 20 },
        ok: true,
        result: { refunded: 20 },
        seq: 2,
      },
    ]);
  });

  it("ask: the run's effects, in the structured result and the text; the retry did not refund again", async () => {
    refunds.length = 0;
    const result = await client.callTool({ name: "ask", arguments: { question: "Refund 20" } });
    expect(result.isError).toBe(true);
    expect(refunds).toEqual([7]);
    const structured = result.structuredContent as { ok: boolean; effects: unknown };
    expect(structured.ok).toBe(false);
    expect(structured.effects).toEqual([
      {
        tool: "refund",
        args: { order_id: 7, amount: 20 },
        ok: true,
        result: { refunded: 20 },
        seq: 1,
        turn: 1,
        attempt: 1,
      },
    ]);
    const text = (result.content as { text: string }[])[0]!.text;
    expect(text).toContain(
      'These calls completed and changed things; do not repeat them: refund({"order_id":7,"amount":20})',
    );
  });
});
