import { jsonSchema, tool, zodSchema } from "ai";
import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { ToolDefinitionError } from "../../src/errors.js";
import { execute } from "../../src/execute/execute.js";
import { fromAiSdkTool, isAiSdkTool } from "../../src/tools/define/ai-sdk-tool.js";
import { defineTool } from "../../src/tools/define/define-tool.js";
import { normalizeTools } from "../../src/tools/define/tool-set.js";
import { pythonSignature, pythonTypedDicts } from "../../src/tools/python/signature.js";

const seen: { input: unknown; toolCallId: string; messages: unknown; aborted: boolean }[] = [];

const getWeather = tool({
  description: "Current weather for a city.",
  inputSchema: z.object({
    city: z.string().describe("City name."),
    unit: z.enum(["c", "f"]).default("c"),
  }),
  outputSchema: z.object({ city: z.string(), temperature: z.number(), unit: z.string() }),
  execute: async ({ city, unit }, { toolCallId, messages, abortSignal }) => {
    seen.push({ input: { city, unit }, toolCallId, messages, aborted: abortSignal!.aborted });
    return { city, temperature: city === "Oslo" ? 3 : 21, unit };
  },
});

const convert = tool({
  description: "Convert an amount.",
  inputSchema: jsonSchema<{ amount: number; to: string }>({
    type: "object",
    properties: { amount: { type: "number" }, to: { type: "string" } },
    required: ["amount", "to"],
  }),
  execute: async ({ amount, to }) => `${amount * 2} ${to}`,
});

const lookup = defineTool({
  name: "lookup",
  parameters: z.object({ key: z.string() }),
  execute: ({ key }) => key.toUpperCase(),
});

describe("AI SDK tools in tools", () => {
  it("reads signature, docs and return TypedDict from inputSchema and outputSchema", () => {
    const [weather, conv] = normalizeTools({ get_weather: getWeather, convert });
    expect(pythonSignature(weather!)).toBe(
      'get_weather(city: str, unit: Literal["c", "f"] = "c") -> GetWeatherResult',
    );
    expect(pythonTypedDicts([weather!])).toBe(
      "class GetWeatherResult(TypedDict):\n    city: str\n    temperature: float\n    unit: str",
    );
    expect(weather!.description).toBe("Current weather for a city.");
    expect(pythonSignature(conv!)).toBe("convert(amount: float, to: str) -> Any");
  });

  it("runs from Python, mixed with codemode tools, with sensible execute options", async () => {
    seen.length = 0;
    const result = await execute(
      'w = get_weather("Oslo")\nx = get_weather(city="Rome", unit="f")\n' +
        '[w["temperature"], x["unit"], convert(2, "EUR"), lookup("k")]',
      {
        tools: { get_weather: getWeather, convert, lookup },
        isolation: "in-process",
      },
    );
    expect(result.ok && result.value).toEqual([3, "f", "4 EUR", "K"]);
    expect(seen.map((s) => s.input)).toEqual([
      { city: "Oslo", unit: "c" },
      { city: "Rome", unit: "f" },
    ]);
    expect(seen[0]!.messages).toEqual([]);
    expect(seen[0]!.aborted).toBe(false);
    expect(seen[0]!.toolCallId).toMatch(/^codemode-1-[0-9a-f-]{36}$/);
    expect(seen[1]!.toolCallId).toMatch(/^codemode-2-/);
  });

  it("validates with the tool's schema before execute runs", async () => {
    seen.length = 0;
    const result = await execute('get_weather("Oslo", unit="kelvin")', {
      tools: { get_weather: getWeather },
      isolation: "in-process",
    });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.type).toBe("TypeError");
      expect(result.error.message).toMatch(/unit/);
    }
    expect(seen).toHaveLength(0);

    // jsonSchema() with its own validate function: that function decides.
    const strict = tool({
      inputSchema: jsonSchema<{ n: number }>(
        { type: "object", properties: { n: { type: "number" } }, required: ["n"] },
        {
          validate: (value) =>
            (value as { n: number }).n > 0
              ? { success: true, value: value as { n: number } }
              : { success: false, error: new Error("n must be positive") },
        },
      ),
      execute: async ({ n }) => n * 10,
    });
    const bad = await execute("f(-1)", { tools: { f: strict }, isolation: "in-process" });
    expect(!bad.ok && bad.error.message).toMatch(/n must be positive/);
    const good = await execute("f(3)", { tools: { f: strict }, isolation: "in-process" });
    expect(good.ok && good.value).toBe(30);
  });

  it("returns the last value of a streaming tool and raises a tool's error in Python", async () => {
    const progress = tool({
      inputSchema: z.object({ steps: z.number().int() }),
      async *execute({ steps }) {
        for (let i = 1; i <= steps; i++) yield { done: i, of: steps };
      },
    });
    const failing = tool({
      inputSchema: zodSchema(z.object({})),
      execute: async (): Promise<string> => {
        throw new Error("service down");
      },
    });
    const result = await execute(
      'p = progress(3)\ntry:\n    failing()\n    e = ""\nexcept Exception as err:\n    e = str(err)\n[p, e]',
      { tools: { progress, failing }, isolation: "in-process" },
    );
    expect(result.ok && result.value).toEqual([{ done: 3, of: 3 }, "service down"]);
  });

  it("passes the run's abort signal to the tool", async () => {
    let sawAbort = false;
    let running = false;
    const slow = tool({
      inputSchema: z.object({}),
      execute: (_input, { abortSignal }) =>
        new Promise((resolve) => {
          abortSignal!.addEventListener("abort", () => {
            sawAbort = true;
            resolve("stopped");
          });
          running = true;
        }),
    });
    const controller = new AbortController();
    const pending = execute("slow()", {
      tools: { slow },
      signal: controller.signal,
      isolation: "in-process",
    });
    await vi.waitFor(() => expect(running).toBe(true), { timeout: 10_000, interval: 10 });
    controller.abort();
    const result = await pending;
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.type).toBe("CancelledError");
    expect(sawAbort).toBe(true);
  });

  it("keeps needsApproval, as a flag or as a function of the arguments", async () => {
    const always = tool({ inputSchema: z.object({}), needsApproval: true, execute: async () => 1 });
    const large = tool({
      inputSchema: z.object({ amount: z.number() }),
      needsApproval: async ({ amount }) => amount > 100,
      execute: async () => 1,
    });
    const never = tool({ inputSchema: z.object({}), needsApproval: false, execute: async () => 1 });
    const [pay, refund, ping] = normalizeTools({ pay: always, refund: large, ping: never });
    expect(pay!.needsApproval).toBe(true);
    expect(ping!.needsApproval).toBeUndefined();
    const check = refund!.needsApproval as (input: Record<string, unknown>) => Promise<boolean>;
    expect(await check({ amount: 500 })).toBe(true);
    expect(await check({ amount: 5 })).toBe(false);
  });

  it("refuses tools codemode cannot run, saying what to do", () => {
    const clientSide = tool({ inputSchema: z.object({ q: z.string() }) });
    expect(() => normalizeTools({ ask_user: clientSide })).toThrow(ToolDefinitionError);
    expect(() => normalizeTools({ ask_user: clientSide })).toThrow(
      /AI SDK tool "ask_user" has no execute function/,
    );
    const provider = {
      type: "provider" as const,
      id: "openai.web_search" as const,
      args: {},
      inputSchema: z.object({}),
    };
    expect(() => normalizeTools({ web: provider })).toThrow(
      /\(openai\.web_search\) is executed by the model provider/,
    );
    expect(() => normalizeTools([getWeather])).toThrow(/AI SDK tool, which has no name/);
    expect(() => normalizeTools({ "get-weather": getWeather })).toThrow(/try "get_weather"/);
    const notObject = tool({ inputSchema: z.string(), execute: async () => 1 });
    expect(() => normalizeTools({ s: notObject })).toThrow(/must describe an object/);
    const asyncSchema = tool({
      inputSchema: jsonSchema(Promise.resolve({ type: "object" as const, properties: {} })),
      execute: async () => 1,
    });
    expect(() => normalizeTools({ a: asyncSchema })).toThrow(/only available asynchronously/);
  });

  it("works in an array through fromAiSdkTool, and is recognised by shape", () => {
    const tools = normalizeTools([fromAiSdkTool("weather", getWeather), lookup]);
    expect(tools.map((t) => t.name)).toEqual(["weather", "lookup"]);
    expect(isAiSdkTool(getWeather)).toBe(true);
    expect(isAiSdkTool(lookup)).toBe(false);
  });
});
