/**
 * A generated API of 300 operations (60 resources x list/get/create/update/delete) served
 * on loopback: the agent's prompt lists the tools compactly, a scripted model finds the
 * operation with `search_tools` in turn 1 and calls it against the live server in turn 2,
 * and a wrong argument to an unlisted operation still fails the type check.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { CodeModeAgent } from "codemode";
import { type OpenApiToolSet, openApiTools } from "codemode/openapi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { py } from "../helpers/python.js";
import { scripted } from "../helpers/scripted-llm.js";
import { generatedDocument } from "./fixtures/generated-api.mjs";

describe("an agent over a 300-operation OpenAPI document", () => {
  let server: Server;
  let tools: OpenApiToolSet;
  const seen: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      const [, collection, id] = (req.url ?? "").split("?")[0]!.split("/");
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ id, name: `${collection?.slice(0, -1)} ${id}` }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    tools = await openApiTools(generatedDocument(url));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("lists names only, searches in turn 1 and calls the operation it found in turn 2", async () => {
    expect(tools).toHaveLength(300);
    const callLlm = scripted([
      () => py('search_tools("fetch one shipment by id", limit=3)'),
      (messages) => {
        const last = messages.at(-1)?.content ?? "";
        const best = /"name":"(\w+)","signature"/.exec(last)?.[1];
        return py(`s = ${best}(shipmentId="s-9")\n{"summary": f"{s['name']} ({s['id']})"}`);
      },
    ]);
    const agent = new CodeModeAgent({ tools, turns: { maxTurns: 4 }, callLlm });
    expect(agent.toolListing).toBe("compact");
    expect(agent.systemPrompt).toContain("Available functions (300):");
    expect(agent.systemPrompt).toContain(
      "- get_shipment: Fetch one shipment by its id, with all its fields.",
    );
    expect(agent.systemPrompt).toContain("search_tools(query, limit=10)");
    expect(agent.systemPrompt).not.toContain("class Shipment(TypedDict)");

    const result = await agent.run("What is shipment s-9 called?");
    expect(result.error).toBeNull();
    expect(result.toolCalls.map((c) => `${c.turn}:${c.name}`)).toEqual([
      "1:search_tools",
      "2:get_shipment",
    ]);
    expect(result.turns[0]!.observation).toContain(
      '"name":"get_shipment","signature":"get_shipment(shipmentId: str) -> Shipment"',
    );
    expect(result.summary).toBe("shipment s-9 (s-9)");
    expect(seen).toEqual(["GET /shipments/s-9"]);
  });

  it("type-checks against every operation: a wrong argument to an unlisted one never reaches the server", async () => {
    seen.length = 0;
    const callLlm = scripted([
      () => py('d = get_deal(dealId=7)\n{"summary": d["name"]}'),
      () => py('d = get_deal(dealId="7")\n{"summary": d["name"]}'),
    ]);
    const agent = new CodeModeAgent({ tools, turns: { maxTurns: 3 }, callLlm });
    const result = await agent.run("Name of deal 7?");
    expect(result.attempts).toBe(2);
    expect(result.toolCalls.map((c) => `${c.attempt}:${c.name}`)).toEqual(["2:get_deal"]);
    expect(result.summary).toBe("deal 7");
    expect(seen).toEqual(["GET /deals/7"]);
  });
});
