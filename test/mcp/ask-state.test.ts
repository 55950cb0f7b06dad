/**
 * `ask` remembers within an MCP session: what one question's programs kept is there for the
 * next question of the same session, and never for another session.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { type CallLlm, defineTool } from "codemode";
import { type CodeModeMcpHttpServer, serveCodeModeMcpHttp } from "codemode/mcp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { py } from "../helpers/python.js";

describe("ask keeps state per MCP session", () => {
  let http: CodeModeMcpHttpServer;
  const fetched: string[] = [];
  const prompts: string[] = [];
  beforeAll(async () => {
    const getOrder = defineTool({
      name: "get_order",
      description: "An order by id.",
      parameters: z.object({ id: z.string() }),
      execute: async ({ id }) => {
        fetched.push(id);
        if (id === "SLOW") await new Promise((resolve) => setTimeout(resolve, 400));
        return { id, total: 42 };
      },
    });
    // `fetch X` keeps `order`; `total?` uses it when the prompt lists it, else says so;
    // `keep X` keeps `kept_X`.
    const callLlm: CallLlm = async (_model, _system, messages) => {
      const last = messages.at(-1)!.content;
      prompts.push(last);
      const keep = /^keep (\w+)/.exec(last);
      if (keep) return py(`kept_${keep[1]} = get_order("${keep[1]}")\n{"summary": "kept"}`);
      const fetch = /^fetch (\w+)/.exec(last);
      if (fetch)
        return py(`order = get_order("${fetch[1]}")\n{"summary": "fetched " + order["id"]}`);
      if (last.startsWith("total?")) {
        return last.includes("- order: dict")
          ? py('{"summary": order["id"] + " costs " + str(order["total"])}')
          : "I have no order.";
      }
      return "?";
    };
    http = await serveCodeModeMcpHttp({
      tools: [getOrder],
      agent: { callLlm, model: "scripted:test", maxTurns: 3, isolation: "in-process" },
    });
  });
  afterAll(() => http?.close());

  const connect = async () => {
    const client = new Client({ name: "test", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(http.url)));
    return client;
  };
  const ask = async (client: Client, question: string) => {
    const result = await client.callTool({ name: "ask", arguments: { question } });
    return (result.structuredContent as { summary: string }).summary;
  };

  it("answers a follow-up from what the session's last ask kept; another session starts empty", async () => {
    const one = await connect();
    const two = await connect();
    expect(await ask(one, "fetch A7")).toBe("fetched A7");
    expect(await ask(one, "total?")).toBe("A7 costs 42");
    expect(fetched).toEqual(["A7"]);
    expect(await ask(two, "total?")).toBe("I have no order.");
    await one.close();
    await two.close();
  });

  it("two asks of one session at once run one after the other, so neither loses the other's data", async () => {
    const client = await connect();
    const slow = ask(client, "keep SLOW");
    await expect.poll(() => fetched.includes("SLOW"), { timeout: 10_000, interval: 10 }).toBe(true);
    await Promise.all([slow, ask(client, "keep QUICK")]);
    // QUICK was asked with what SLOW kept, and a third ask sees both.
    expect(prompts.find((p) => p.startsWith("keep QUICK"))).toContain("- kept_SLOW: dict");
    await ask(client, "anything?");
    expect(prompts.at(-1)).toContain("- kept_SLOW: dict");
    expect(prompts.at(-1)).toContain("- kept_QUICK: dict");
    await client.close();
  });
});
