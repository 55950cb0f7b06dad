import { tool } from "ai";
import { CodeModeAgent, defineTool, execute } from "codemode";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { py } from "../helpers/python.js";
import { scriptedLlm } from "../helpers/scripted-llm.js";

const scripted = (replies: string[]) =>
  scriptedLlm(replies, { usage: { inputTokens: 1, outputTokens: 1 } });

let calls: string[] = [];

// A Zod tool, an AI SDK tool and a JSON Schema tool shaped like an MCP server's.
const getUser = defineTool({
  name: "get_user",
  description: "One user by id.",
  parameters: z.object({ id: z.number().int() }),
  returns: z.object({ id: z.number().int(), email: z.string(), team: z.string().optional() }),
  execute: ({ id }) => {
    calls.push(`get_user(${id})`);
    return { id, email: `u${id}@example.com` };
  },
});

const sendMail = tool({
  description: "Send an email.",
  inputSchema: z.object({
    to: z.string(),
    message: z.object({ subject: z.string(), body: z.string() }),
  }),
  outputSchema: z.object({ sent: z.boolean(), id: z.string() }),
  execute: async ({ to }) => {
    calls.push(`send_mail(${to})`);
    return { sent: true, id: `m-${to}` };
  },
});

const weather = defineTool({
  name: "weather",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  returns: {
    type: "object",
    properties: { temperature: { type: "number" }, conditions: { type: "string" } },
    required: ["temperature", "conditions"],
  },
  execute: () => {
    calls.push("weather");
    return { temperature: 18, conditions: "cloudy" };
  },
});

describe("TypedDict stubs through the agent", () => {
  it("shows the model the TypedDicts and rejects a wrong key before any tool runs", async () => {
    calls = [];
    const { callLlm, calls: sent } = scripted([
      py(
        'u = get_user(7)\nw = weather("Oslo")\nr = send_mail(u["emial"], {"subject": "Hi", "body": w["conditions"]})\n{"summary": r["id"]}',
      ),
      py(
        'u = get_user(7)\nw = weather("Oslo")\nmsg = {"subject": "Hi", "body": w["conditions"]}\nr = send_mail(u["email"], msg)\n{"summary": r["id"]}',
      ),
    ]);
    const agent = new CodeModeAgent({
      tools: { get_user: getUser, send_mail: sendMail, weather },
      callLlm,
    });

    const prompt = agent.systemPrompt;
    expect(prompt).toContain("- get_user(id: int) -> GetUserResult\n    One user by id.");
    expect(prompt).toContain(
      "- send_mail(to: str, message: SendMailParamsMessage) -> SendMailResult",
    );
    expect(prompt).toContain("- weather(city: str) -> WeatherResult");
    expect(prompt).toContain(
      "class GetUserResult(TypedDict):\n    id: int\n    email: str\n    team: NotRequired[str]",
    );
    expect(prompt).toContain(
      "class SendMailParamsMessage(TypedDict):\n    subject: str\n    body: str",
    );
    expect(prompt).toContain("class WeatherResult(TypedDict):\n    temperature: float\n");
    expect(prompt).toMatch(/They are type names only: build plain dict literals/);
    expect(agent.toolDescriptions().map((d) => d.signature)).toEqual([
      "get_user(id: int) -> GetUserResult",
      "send_mail(to: str, message: SendMailParamsMessage) -> SendMailResult",
      "weather(city: str) -> WeatherResult",
    ]);

    const result = await agent.run("Mail user 7 the weather in Oslo.");
    expect(result.error).toBeNull();
    expect(result.summary).toBe("m-u7@example.com");
    expect(result.attempts).toBe(2);
    // The first program never ran: no tool call belongs to attempt 1.
    expect(result.toolCalls.filter((c) => c.attempt === 1)).toHaveLength(0);
    expect(calls).toEqual(["get_user(7)", "weather", "send_mail(u7@example.com)"]);
    expect(sent[1]!.messages.at(-1)!.content).toMatch(
      /Type check failed, nothing ran:\nline 3: Unknown key "emial" for TypedDict `GetUserResult` - did you mean "email"\? \[invalid-key\]/,
    );
  });
});

describe("one TypedDict per shape, through execute()", () => {
  const Customer = z.object({ id: z.number().int(), name: z.string(), email: z.string() });
  const customer = { id: 1, name: "Ada", email: "ada@example.com" };
  const listCustomers = defineTool({
    name: "list_customers",
    returns: z.array(Customer),
    execute: () => {
      calls.push("list_customers");
      return [customer];
    },
  });
  const getCustomer = defineTool({
    name: "get_customer",
    parameters: z.object({ id: z.number().int() }),
    returns: Customer,
    execute: () => {
      calls.push("get_customer");
      return customer;
    },
  });
  const tools = [listCustomers, getCustomer];

  it("the prompt declares the shared shape once, and a wrong key fails on its line", async () => {
    const prompt = new CodeModeAgent({ tools, callLlm: scripted([]).callLlm }).systemPrompt;
    expect(prompt).toContain("- get_customer(id: int) -> ListCustomersResultItem");
    expect(prompt.match(/class \w+\(TypedDict\)/g)).toEqual([
      "class ListCustomersResultItem(TypedDict)",
    ]);

    calls = [];
    const code = 'first = list_customers()[0]\nc = get_customer(first["id"])\nc["mail"]';
    const result = await execute(code, { tools, typeCheck: true });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ type: "TypeCheckError", line: 3 });
    expect(result.error.message).toContain(
      'Unknown key "mail" for TypedDict `ListCustomersResultItem`',
    );
    expect(calls).toEqual([]);

    const fixed = await execute(code.replace('"mail"', '"email"'), { tools, typeCheck: true });
    expect(fixed).toMatchObject({ ok: true, value: "ada@example.com" });
    expect(calls).toEqual(["list_customers", "get_customer"]);
  });
});
