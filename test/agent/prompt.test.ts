/**
 * The prompt says what is true (issue 20): that programs are type-checked and what that
 * stops, which tools need approval and what a denial means, how a run ends, and today's
 * date; each statement is checked against what the agent and the sandbox really do.
 */
import {
  CodeModeAgent,
  closeDefaultSandboxPool,
  defineTool,
  execute,
  InvalidOptionsError,
} from "codemode";
import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { APPROVAL_NOTE, TYPE_CHECK_NOTE, todayNote } from "../../src/agent/prompt.js";
import { py } from "../helpers/python.js";
import { scriptedLlm as scripted } from "../helpers/scripted-llm.js";

afterAll(() => closeDefaultSandboxPool());

const ran: string[] = [];
const refund = defineTool({
  name: "refund_order",
  description: "Refund an order in full.",
  parameters: z.object({ id: z.number().int() }),
  needsApproval: true,
  execute: ({ id }) => {
    ran.push(`refund ${id}`);
    return { refunded: id };
  },
});
const getOrder = defineTool({
  name: "get_order",
  description: "One order by id.",
  parameters: z.object({ id: z.number().int() }),
  returns: z.object({ id: z.number().int(), total: z.number() }),
  execute: ({ id }) => ({ id, total: 12.5 }),
});

describe("the system prompt", () => {
  it("says programs are type-checked and what that stops, only when they are", async () => {
    const checked = new CodeModeAgent({ tools: [getOrder], callLlm: scripted([]).callLlm });
    expect(checked.systemPrompt).toContain(TYPE_CHECK_NOTE);
    const unchecked = new CodeModeAgent({
      tools: [getOrder],
      typeCheck: false,
      callLlm: scripted([]).callLlm,
    });
    expect(unchecked.systemPrompt).not.toContain(TYPE_CHECK_NOTE);
    // Each thing it names as stopped is stopped, with nothing run; what it lets run, runs.
    for (const code of [
      "get_ordr(1)",
      'get_order("1")',
      "get_order(1, 2)",
      "get_order(order_id=1)",
      'get_order(1)["totl"]',
    ]) {
      const result = await execute(code, { tools: [getOrder], typeCheck: true });
      expect(result.ok ? "ran" : result.error.type, code).toBe("TypeCheckError");
    }
    const runs = await execute(
      'best = None\nfor i in [1, 2]:\n    best = get_order(i)\nbest["total"]',
      {
        tools: [getOrder],
        typeCheck: true,
      },
    );
    expect(runs.ok && runs.value).toBe(12.5);
  });

  it("marks the tools that need approval and says what a denial means, which is true", async () => {
    const agent = new CodeModeAgent({
      tools: [refund, getOrder],
      maxTurns: 3,
      callLlm: scripted([]).callLlm,
    });
    expect(agent.systemPrompt).toContain("- refund_order(id: int) -> Any  [needs approval]");
    expect(agent.systemPrompt).toContain(APPROVAL_NOTE);
    const plain = new CodeModeAgent({ tools: [getOrder], callLlm: scripted([]).callLlm });
    expect(plain.systemPrompt).not.toContain(APPROVAL_NOTE);
    // A denied call raises PermissionError in the program, and the tool does not run.
    ran.length = 0;
    const result = await execute(
      'try:\n    refund_order(7)\n    done = "refunded"\nexcept PermissionError as e:\n    done = "denied: " + str(e)\ndone',
      {
        tools: [refund],
        typeCheck: true,
        onApproval: () => ({ approved: false, reason: "over the limit" }),
      },
    );
    expect(result.ok && result.value).toMatch(/^denied: .*over the limit/);
    expect(ran).toEqual([]);
  });

  it("says once how a run ends: a value with summary ends it, anything else is a look", async () => {
    const { callLlm } = scripted([
      py("o = get_order(3)\no"),
      py('{"summary": "Order 3 totals 12.5"}'),
    ]);
    const agent = new CodeModeAgent({ tools: [getOrder], maxTurns: 4, callLlm });
    expect(agent.systemPrompt).toContain(
      'A program whose value is a dict with "summary" ends the run: that dict is your answer. Any other value is a look',
    );
    expect(agent.systemPrompt).not.toContain("or reply in plain text");
    const result = await agent.run("How much is order 3?");
    expect(result.summary).toBe("Order 3 totals 12.5");
    expect(result.turns?.map((t) => t.kind)).toEqual(["look", "answer"]);
  });

  it("states today's date (UTC) last, from the now option, and its snippet runs", async () => {
    const { callLlm, calls } = scripted([py('{"summary": "ok"}')]);
    const now = new Date("2025-06-30T23:30:00-02:00"); // 2025-07-01 in UTC
    const agent = new CodeModeAgent({ tools: [getOrder], callLlm, now });
    const line = todayNote(now);
    expect(line).toBe(
      'Today is 2025-07-01 (UTC); the sandbox has no clock, so use this date for "today" or "the last 30 days": `date(2025, 7, 1)`.',
    );
    expect(agent.systemPrompt.endsWith(`\n\n${line}`)).toBe(true);
    await agent.run("hi");
    const systems = calls.map((call) => call.system);
    expect(systems[0]!.endsWith(line)).toBe(true);
    const snippet = /`(date\(.+\))`/.exec(line)![1]!;
    const result = await execute(`from datetime import date\n${snippet}.isoformat()`, {
      typeCheck: true,
    });
    expect(result.ok && result.value).toBe("2025-07-01");
  });

  it("follows a clock function into the next day, and refuses a date that is not one", () => {
    let day = new Date("2025-01-31T12:00:00Z");
    const agent = new CodeModeAgent({ tools: [], now: () => day, callLlm: scripted([]).callLlm });
    expect(agent.systemPrompt).toContain("Today is 2025-01-31 (UTC)");
    day = new Date("2025-02-01T00:00:01Z");
    expect(agent.systemPrompt).toContain("Today is 2025-02-01 (UTC)");
    expect(() => new CodeModeAgent({ tools: [], now: new Date("nope") })).toThrow(
      InvalidOptionsError,
    );
  });

  it("keeps its stable part first: two agents on different days share all but the date line", () => {
    const prompt = (iso: string) =>
      new CodeModeAgent({ tools: [getOrder, refund], maxTurns: 5, now: new Date(iso) })
        .systemPrompt;
    const a = prompt("2025-01-01T00:00:00Z");
    const b = prompt("2025-03-04T00:00:00Z");
    const stable = a.slice(0, a.lastIndexOf("\n\nToday is"));
    expect(b.startsWith(stable)).toBe(true);
    expect(stable.length).toBeGreaterThan(a.length - 200);
  });
});
