/**
 * The "done when": one CodeModeAgent whose tools mix a Zod `defineTool`, an AI SDK
 * `tool()` and two MCP servers (one over stdio, one over Streamable HTTP), driven by a
 * scripted model through a task end to end. The generated Python calls all four kinds; the
 * first attempt hits an MCP `isError`, whose message reaches the model, which fixes it.
 */
import { tool as aiTool } from "ai";
import { type CallLlm, type ChatMessage, CodeModeAgent, defineTool, fromAiSdkTool } from "codemode";
import { type McpToolSet, mcpToolSets } from "codemode/mcp";
import { afterAll, beforeAll, expect, it } from "vitest";
import { z } from "zod";
import { py } from "../helpers/python.js";
import { isAlive, type RunningServer, startHttpFixture, stdioFixture } from "./helpers.js";

let orders: RunningServer;
let mcp: McpToolSet;

beforeAll(async () => {
  orders = await startHttpFixture("errors", "--http");
  // Two servers, each prefixed by its key: weather_get_forecast, orders_lookup_order, ...
  mcp = await mcpToolSets({
    weather: stdioFixture("weather"),
    orders: { url: orders.url },
  });
}, 60_000);

afterAll(async () => {
  await mcp?.close();
  await orders?.close();
});

const getCustomer = defineTool({
  name: "get_customer",
  description: "A customer by id.",
  parameters: z.object({ id: z.string() }),
  returns: z.object({ name: z.string(), city: z.string(), order_id: z.string() }),
  execute: ({ id }) => {
    if (id !== "c-1") throw new Error(`no customer ${id}`);
    return { name: "Ada", city: "Paris", order_id: "A-1" };
  },
});

const convertCurrency = aiTool({
  description: "Converts an amount in USD to another currency.",
  inputSchema: z.object({ amount: z.number(), to: z.enum(["EUR", "GBP"]) }),
  outputSchema: z.object({ amount: z.number(), currency: z.string() }),
  execute: async ({ amount, to }) => ({
    amount: Math.round(amount * (to === "EUR" ? 0.92 : 0.79) * 100) / 100,
    currency: to,
  }),
});

it("runs one agent over a Zod tool, an AI SDK tool and two MCP servers", async () => {
  const replies = [
    // Attempt 1: the wrong order id; the MCP server answers isError.
    py(['customer = get_customer("c-1")', 'order = orders_lookup_order("Z-9")', 'order["total"]']),
    // Attempt 2: all four kinds of tool.
    py([
      'customer = get_customer("c-1")',
      'order = orders_lookup_order(customer["order_id"])',
      'eur = convert_currency(amount=order["total"], to="EUR")',
      'forecast = weather_get_forecast(city=customer["city"])',
      "summary = f\"{customer['name']}'s order {order['id']} is {eur['amount']:.2f} EUR; " +
        "tomorrow in {forecast['city']}: {forecast['summary']}, {forecast['high_c']} C.\"",
      '{"summary": summary, "eur": eur["amount"], "forecast": forecast}',
    ]),
  ];
  const seen: { system: string; messages: ChatMessage[] }[] = [];
  const callLlm: CallLlm = async (_model, system, messages) => {
    seen.push({ system, messages: structuredClone(messages) });
    return replies.shift() ?? "no more replies";
  };

  const agent = new CodeModeAgent({
    tools: [getCustomer, fromAiSdkTool("convert_currency", convertCurrency), ...mcp],
    callLlm,
    model: "scripted:test",
  });

  // The prompt shows every kind of tool as a Python function.
  const system = agent.systemPrompt;
  expect(system).toContain("get_customer(id: str)");
  expect(system).toContain('convert_currency(amount: float, to: Literal["EUR", "GBP"])');
  expect(system).toContain("weather_get_forecast(city: str) -> WeatherGetForecastResult");
  expect(system).toContain("City name, e.g. Paris");
  expect(system).toContain("orders_lookup_order(id: str)");

  const result = await agent.run(
    "What does Ada's order cost in EUR, and what's the weather there?",
  );

  expect(result.error).toBeNull();
  expect(result.attempts).toBe(2);
  expect(result.summary).toBe("Ada's order A-1 is 39.10 EUR; tomorrow in Paris: sunny, 21 C.");
  expect(result.value).toMatchObject({
    eur: 39.1,
    forecast: { city: "Paris", high_c: 21, summary: "sunny" },
  });
  // The MCP error of attempt 1 went back to the model in the retry message.
  expect(seen).toHaveLength(2);
  const retry = seen[1]!.messages.at(-1)!.content;
  expect(retry).toContain("order Z-9 not found");
  // Attempt 2 called all four kinds, in program order.
  const second = result.toolCalls.filter((c) => c.attempt === 2);
  expect(second.map((c) => [c.name, c.ok])).toEqual([
    ["get_customer", true],
    ["orders_lookup_order", true],
    ["convert_currency", true],
    ["weather_get_forecast", true],
  ]);
  expect(second[1]!.result).toEqual({ id: "A-1", total: 42.5 });
}, 60_000);

it("closing the MCP set stops the stdio server; the HTTP server's session ends", async () => {
  const weather = mcp.servers.find((s) => s.prefix === "weather")!;
  expect(weather.transport).toBe("stdio");
  expect(mcp.servers.find((s) => s.prefix === "orders")!.transport).toBe("streamable-http");
  expect(isAlive(weather.pid!)).toBe(true);
  await mcp.close();
  expect(isAlive(weather.pid!)).toBe(false);
});
