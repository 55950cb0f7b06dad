/**
 * Compensation: with `compensateOnFailure`, a run that ends failed or cancelled undoes each
 * completed call whose tool has `compensate`, once, newest first; outcomes in
 * `result.compensations` and `compensation` events; a compensation that throws is reported.
 */
import { type AgentEvent, CodeModeAgent, defineTool, InvalidOptionsError } from "codemode";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { py } from "../helpers/python.js";
import { scripted as scriptedLlm } from "../helpers/scripted-llm.js";

const scripted = (replies: string[]) => scriptedLlm(replies, { whenDone: "no more replies" });

function bank() {
  const log: string[] = [];
  const charge = defineTool({
    name: "charge",
    inputSchema: z.object({ card: z.string(), amount: z.number() }),
    outputSchema: z.object({ charge_id: z.string() }),
    execute: ({ card, amount }) => {
      log.push(`charge ${card} ${amount}`);
      return { charge_id: `ch-${card}` };
    },
    compensate: ({ card }, result, { reason }) => {
      log.push(`refund ${result.charge_id} (${reason})`);
      if (card === "broken") throw new Error("the refund API is down");
      return { refunded: result.charge_id };
    },
  });
  const notify = defineTool({
    name: "notify",
    inputSchema: z.object({ text: z.string() }),
    execute: ({ text }) => {
      log.push(`notify ${text}`);
      return "ok";
    },
  });
  const wait = defineTool({
    name: "wait",
    inputSchema: z.object({}),
    annotations: { readOnlyHint: true },
    execute: (_input, { signal }) =>
      new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason))),
  });
  return { log, tools: [charge, notify, wait] };
}

const CHARGES_THEN_FAIL = `charge(card="a", amount=5)
charge(card="broken", amount=6)
charge(card="c", amount=7)
notify(text="charged")
1 / 0`;

describe("compensateOnFailure", () => {
  it("undoes each completed call once, newest first; a throwing compensation is reported and the rest still run", async () => {
    const { log, tools } = bank();
    const events: AgentEvent[] = [];
    const agent = new CodeModeAgent({
      tools,
      callLlm: scripted([py(CHARGES_THEN_FAIL), py(CHARGES_THEN_FAIL)]),
      isolation: "in-process",
      maxRetries: 1,
      compensateOnFailure: true,
    });
    const result = await agent.run("Charge three cards", [], { onEvent: (e) => events.push(e) });
    expect(result.status).toBe("failed");
    // The retry replayed the charges and the notification: each ran once, is undone once.
    expect(log).toEqual([
      "charge a 5",
      "charge broken 6",
      "charge c 7",
      "notify charged",
      "refund ch-c (failed)",
      "refund ch-broken (failed)",
      "refund ch-a (failed)",
    ]);
    expect(result.compensations).toEqual([
      {
        tool: "charge",
        args: { card: "c", amount: 7 },
        seq: 3,
        turn: 1,
        attempt: 1,
        ok: true,
        result: { refunded: "ch-c" },
        durationMs: expect.any(Number),
      },
      {
        tool: "charge",
        args: { card: "broken", amount: 6 },
        seq: 2,
        turn: 1,
        attempt: 1,
        ok: false,
        error: { type: "RuntimeError", message: "the refund API is down" },
        durationMs: expect.any(Number),
      },
      expect.objectContaining({ args: { card: "a", amount: 5 }, ok: true }),
    ]);
    const compensationEvents = events.filter((e) => e.type === "compensation");
    expect(compensationEvents).toHaveLength(3);
    const done = events.at(-1);
    expect(done?.type === "done" && done.result.compensations).toHaveLength(3);
    // The effects still list what ran.
    expect(result.effects?.map((e) => e.tool)).toEqual(["charge", "charge", "charge", "notify"]);
  });

  it("is off by default", async () => {
    const { log, tools } = bank();
    const agent = new CodeModeAgent({
      tools,
      callLlm: scripted([py(CHARGES_THEN_FAIL)]),
      isolation: "in-process",
      maxRetries: 0,
    });
    const result = await agent.run("Charge");
    expect(result.status).toBe("failed");
    expect(result.compensations).toBeUndefined();
    expect(log.filter((l) => l.startsWith("refund"))).toEqual([]);
  });

  it("undoes a cancelled run's calls, saying it was cancelled; a run that succeeds is left alone", async () => {
    const { log, tools } = bank();
    const controller = new AbortController();
    const agent = new CodeModeAgent({
      tools,
      callLlm: scripted([py('charge(card="a", amount=5)\nwait()')]),
      isolation: "in-process",
      compensateOnFailure: true,
    });
    const running = agent.run("Charge and wait", [], {
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === "tool_call" && e.call.name === "wait") controller.abort();
      },
    });
    const result = await running;
    expect(result.status).toBe("failed");
    expect(log).toEqual(["charge a 5", "refund ch-a (cancelled)"]);

    const fine = new CodeModeAgent({
      tools,
      callLlm: scripted([py('charge(card="z", amount=1)\n{"summary": "ok"}')]),
      isolation: "in-process",
      compensateOnFailure: true,
    });
    expect((await fine.run("Charge z")).compensations).toBeUndefined();
    expect(log.at(-1)).toBe("charge z 1");
  });

  it("must be a boolean", () => {
    expect(() => new CodeModeAgent({ tools: [], compensateOnFailure: "yes" as never })).toThrow(
      InvalidOptionsError,
    );
  });
});
