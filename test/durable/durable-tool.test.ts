/** `durableTool` marks, `agent.usesDurableTools()`, and the marked tool outside durable runs. */
import { CodeModeAgent, defineTool, durableTool, execute, ToolDefinitionError } from "codemode";
import { remoteTool } from "codemode/durable";
import { describe, expect, it } from "vitest";

const charge = defineTool({
  name: "charge",
  description: "Charge a customer.",
  parameters: {
    type: "object",
    properties: { customer: { type: "string" }, cents: { type: "integer" } },
    required: ["customer", "cents"],
  },
  execute: ({ customer, cents }) => `${String(customer)} charged ${String(cents)}`,
});

describe("durableTool", () => {
  it("marks a tool with its options and makes usesDurableTools() true", () => {
    const durable = durableTool(charge, { retries: 3, timeoutMs: 5_000, idempotent: false });
    expect(durable.durable).toEqual({ retries: 3, timeoutMs: 5_000, idempotent: false });
    expect(durable.name).toBe("charge");
    expect(new CodeModeAgent({ tools: [charge] }).usesDurableTools()).toBe(false);
    expect(new CodeModeAgent({ tools: [durable] }).usesDurableTools()).toBe(true);
    // The marker survives renaming through a record key.
    const renamed = new CodeModeAgent({ tools: { bill: durable, plain: charge } });
    expect(renamed.usesDurableTools()).toBe(true);
    expect(renamed.tools.find((t) => t.name === "bill")?.durable).toEqual(durable.durable);
  });

  it("counts remote tools as durable", () => {
    const agent = new CodeModeAgent({ tools: [remoteTool(charge, { service: "billing" })] });
    expect(agent.usesDurableTools()).toBe(true);
    expect(agent.toolDescriptions()[0]?.signature).toContain("charge(customer: str, cents: int)");
  });

  it("merges options when a durable tool is marked again", () => {
    const once = durableTool(charge, { retries: 1, idempotent: false });
    const twice = durableTool(once, { retries: 2, timeoutMs: 1_000 });
    expect(twice.durable).toEqual({ retries: 2, idempotent: false, timeoutMs: 1_000 });
    // A remote tool keeps its options too (where it runs is checked against a real
    // Restate server in remote-tools.test.ts).
    const remote = durableTool(remoteTool(once, { service: "billing" }), { retries: 3 });
    expect(JSON.parse(JSON.stringify(remote.durable))).toEqual({ retries: 3, idempotent: false });
  });

  it("rejects bad options with a message naming the tool and the option", () => {
    expect(() => durableTool(charge, { retries: -1 })).toThrow(ToolDefinitionError);
    expect(() => durableTool(charge, { retries: 1.5 })).toThrow(/charge.*retries/);
    expect(() => durableTool(charge, { timeoutMs: 0 })).toThrow(/timeoutMs must be a positive/);
    // The old duplicate name is refused rather than silently ignored.
    expect(() => durableTool(charge, { timeout: 5_000 } as never)).toThrow(
      /called timeoutMs .*not timeout/,
    );
    expect(() => remoteTool(charge, { service: "billing", retries: -1 })).toThrow(
      /remoteTool\(charge\): retries must be a whole number/,
    );
    expect(() => durableTool(charge, { idempotent: "no" as unknown as boolean })).toThrow(
      /idempotent must be true or false/,
    );
    expect(() => durableTool({} as never)).toThrow(/needs a tool/);
  });

  it("behaves like the plain tool outside durable runs", async () => {
    const result = await execute('charge("ada", 250)', {
      tools: [durableTool(charge, { retries: 2 })],
      isolation: "in-process",
    });
    expect(result.ok && result.value).toBe("ada charged 250");
  });

  it("explains that a remote tool needs a durable run or an ingress URL", async () => {
    const result = await execute(
      'try:\n    charge("ada", 1)\nexcept RuntimeError as e:\n    r = str(e)\nr',
      { tools: [remoteTool(charge, { service: "billing" })], isolation: "in-process" },
    );
    expect(result.ok && result.value).toMatch(/runs on the Restate service "billing"/);
  });
});
