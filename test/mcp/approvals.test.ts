/**
 * Approvals over MCP, with the MCP SDK's own client talking to `codemode mcp` over stdio:
 * a call that needs approval is put to the client's user by elicitation (ask and
 * run_python alike); a client without elicitation gets the call denied, with the reason.
 */
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { CLI } from "./helpers.js";

const TOOLS = join(import.meta.dirname, "../cli/fixtures/refund-tools.ts");
const REPLAY = join(import.meta.dirname, "../cli/fixtures/refund-replay.jsonl");

type Answer = { approve: boolean; reason?: string } | "decline" | undefined;

async function connect(answer: Answer) {
  const dir = mkdtempSync(join(tmpdir(), "codemode-mcp-approval-"));
  const countFile = join(dir, "calls.log");
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, "mcp", "--tools", TOOLS, "--model", `replay:${REPLAY}`],
    env: { ...(process.env as Record<string, string>), COUNT_FILE: countFile },
    stderr: "pipe",
  });
  const asked: string[] = [];
  const client = new Client(
    { name: "test", version: "1.0.0" },
    answer === undefined ? {} : { capabilities: { elicitation: {} } },
  );
  if (answer !== undefined) {
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      asked.push(String(request.params.message));
      if (answer === "decline") return { action: "decline" };
      return { action: "accept", content: answer };
    });
  }
  await client.connect(transport);
  const calls = () =>
    existsSync(countFile) ? readFileSync(countFile, "utf8").trim().split("\n") : [];
  return { client, asked, calls };
}

const text = (r: Awaited<ReturnType<Client["callTool"]>>) =>
  (r.content as { type: string; text?: string }[])[0]?.text ?? "";

describe("codemode mcp approvals", () => {
  it("ask puts the call to the user by elicitation, and runs it when approved", async () => {
    const { client, asked, calls } = await connect({ approve: true });
    try {
      const result = await client.callTool({ name: "ask", arguments: { question: "Refund 9." } });
      expect(text(result)).toBe("refunded 90");
      expect(asked).toHaveLength(1);
      expect(asked[0]).toContain("refund()");
      expect(asked[0]).toContain('"amount": 90');
      expect(calls()).toEqual(["get_order:9", "refund:9:90"]);
    } finally {
      await client.close();
    }
  }, 60_000);

  it("run_python asks too; a denial with a reason reaches the program", async () => {
    const { client, calls } = await connect({ approve: false, reason: "not this week" });
    try {
      const code =
        'try:\n    refund(3, 75)\n    r = "done"\nexcept PermissionError as e:\n    r = str(e)\nr';
      const result = await client.callTool({ name: "run_python", arguments: { code } });
      expect(result.structuredContent).toMatchObject({
        ok: true,
        value: "refund() was not approved: not this week",
      });
      expect(calls()).toEqual([]);
    } finally {
      await client.close();
    }
  }, 60_000);

  it("a client without elicitation gets the call denied, saying why", async () => {
    const { client, calls } = await connect(undefined);
    try {
      const result = await client.callTool({ name: "ask", arguments: { question: "Refund 9." } });
      expect(text(result)).toMatch(
        /^not refunded: refund\(\) was not approved: the MCP client cannot ask its user/,
      );
      expect(calls()).toEqual(["get_order:9"]);
    } finally {
      await client.close();
    }
  }, 60_000);
});
