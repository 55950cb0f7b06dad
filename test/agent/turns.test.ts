/**
 * The turn loop (`maxTurns > 1`): the model looks, sees what came back, and acts; a dict
 * with "summary" or a plain-text reply is the answer. Driven through `CodeModeAgent` with a
 * scripted model, against real tools in the real sandbox.
 */
import { type AgentEvent, type CallLlm, CodeModeAgent, defineTool } from "codemode";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { pyAfter } from "../helpers/python.js";
import { type ScriptedReply, scriptedLlm } from "../helpers/scripted-llm.js";

const scripted = (replies: ScriptedReply[]) =>
  scriptedLlm(replies, { usage: { inputTokens: 100, outputTokens: 10 } });
const py = pyAfter("Let me check.");

function salesTools(rows = 3) {
  const counts = { fetch: 0 };
  const fetchOrders = defineTool({
    name: "fetch_orders",
    description: "All orders of a year.",
    parameters: z.object({ year: z.number().int() }),
    execute: ({ year }) => {
      counts.fetch += 1;
      return Array.from({ length: rows }, (_, i) => ({
        id: i + 1,
        year,
        region: i % 2 === 0 ? "north" : "south",
        amount: 10 * (i + 1),
        note: "x".repeat(40),
      }));
    },
  });
  return { counts, tools: [fetchOrders] };
}

describe("CodeModeAgent with maxTurns > 1", () => {
  it("looks, then answers from the kept variables without calling the tool again", async () => {
    const { counts, tools } = salesTools();
    const { callLlm, calls } = scripted([
      py("orders = fetch_orders(2024)\norders[:1]"),
      py(
        'by_region = {}\nfor o in orders:\n    by_region[o["region"]] = by_region.get(o["region"], 0) + o["amount"]\n{"summary": f"north {by_region[\'north\']}, south {by_region[\'south\']}", "by_region": by_region}',
      ),
    ]);
    const events: AgentEvent[] = [];
    const agent = new CodeModeAgent({ tools, callLlm, maxTurns: 5, isolation: "in-process" });
    const result = await agent.run("Revenue by region in 2024?", [], {
      onEvent: (e) => events.push(e),
    });

    expect(result).toMatchObject({
      status: "done",
      error: null,
      summary: "north 40, south 20",
      value: { by_region: { north: 40, south: 20 } },
      attempts: 2,
    });
    expect(counts.fetch).toBe(1);
    expect(result.turns.map((t) => t.kind)).toEqual(["look", "answer"]);
    expect(result.turns[0]!.value).toEqual([expect.objectContaining({ id: 1, region: "north" })]);
    expect(result.toolCalls).toEqual([
      expect.objectContaining({ name: "fetch_orders", turn: 1, attempt: 1 }),
    ]);
    expect(result.code).toContain("by_region");
    expect(result.usage.inputTokens).toBe(200);

    // What the model saw after its look: the value, the calls, the variables it can reuse.
    const observation = calls[1]!.messages.at(-1)!.content;
    expect(observation).toBe(result.turns[0]!.observation);
    expect(observation).toContain("The program ran (turn 1 of 5)");
    expect(observation).toContain('"region":"north"');
    expect(observation).toContain("Tool calls: 1 (fetch_orders x1), all succeeded");
    expect(observation).toContain("orders (list of 3)");

    const turnEvents = events
      .filter((e) => e.type === "turn_start" || e.type === "turn_end")
      .map((e) => `${e.type}:${e.turn}`);
    expect(turnEvents).toEqual(["turn_start:1", "turn_end:1", "turn_start:2", "turn_end:2"]);
    expect(events.at(-1)!.type).toBe("done");
  });

  it("takes a reply without a code block as the answer", async () => {
    const { tools } = salesTools();
    const { callLlm } = scripted([
      py("orders = fetch_orders(2024)\nlen(orders)"),
      "There were **3 orders** in 2024.",
    ]);
    const agent = new CodeModeAgent({ tools, callLlm, maxTurns: 5, isolation: "in-process" });
    const result = await agent.run("How many orders in 2024?");
    expect(result).toMatchObject({
      status: "done",
      summary: "There were **3 orders** in 2024.",
      error: null,
      attempts: 1,
    });
    expect(result.turns.map((t) => t.kind)).toEqual(["look", "reply"]);
    expect(result.turns[1]!.code).toBe("");
    expect(result.code).toBe("orders = fetch_orders(2024)\nlen(orders)");
  });

  it("answers in one LLM call when the first program already returns a summary", async () => {
    const { tools } = salesTools();
    const { callLlm, calls } = scripted([
      py('orders = fetch_orders(2024)\n{"summary": f"{len(orders)} orders"}'),
    ]);
    const agent = new CodeModeAgent({ tools, callLlm, maxTurns: 5, isolation: "in-process" });
    const result = await agent.run("How many orders?");
    expect(result.summary).toBe("3 orders");
    expect(calls).toHaveLength(1);
  });

  it("fixes a failing program within its turn, then goes on; retries count consecutive failures", async () => {
    const { tools } = salesTools();
    const { callLlm, calls } = scripted([
      py("orders = fetch_orders(2024)\norders[0]['missing']"),
      py("orders = fetch_orders(2024)\nlist(orders[0].keys())"),
      py("x = undefined_name"),
      py('{"summary": str(len(orders))}'),
    ]);
    const agent = new CodeModeAgent({
      tools,
      callLlm,
      maxTurns: 4,
      maxRetries: 1,
      isolation: "in-process",
    });
    const result = await agent.run("Count the orders.");
    expect(result.status).toBe("done");
    expect(result.summary).toBe("3");
    expect(result.attempts).toBe(4);
    expect(result.turns.map((t) => [t.kind, t.attempts])).toEqual([
      ["look", 2],
      ["answer", 2],
    ]);
    // The failed attempt's error and code went back to the model.
    expect(calls[1]!.messages.at(-1)!.content).toContain("KeyError (line 2)");
    expect(calls[3]!.messages.at(-1)!.content).toContain("TypeCheckError (line 1)");
    expect(result.toolCalls.map((c) => [c.turn, c.attempt])).toEqual([
      [1, 1],
      [1, 2],
    ]);
  });

  it("stops at maxTurns with an error that says how to raise it, warning the model first", async () => {
    const { tools } = salesTools();
    const { callLlm, calls } = scripted([py("1 + 1"), py("2 + 2"), py("3 + 3")]);
    const agent = new CodeModeAgent({ tools, callLlm, maxTurns: 3, isolation: "in-process" });
    const result = await agent.run("Keep looking.");
    expect(result.status).toBe("failed");
    expect(result.error).toMatch(/Reached maxTurns \(3\) without a final answer/);
    expect(result.error).toContain("new CodeModeAgent({ turns: { maxTurns } })");
    expect(result.turns).toHaveLength(3);
    expect(calls).toHaveLength(3);
    expect(calls[2]!.messages.at(-1)!.content).toContain("This was the last look");
    expect(calls[1]!.messages.at(-1)!.content).not.toContain("This was the last look");
  });

  it("cuts a huge look to the observation budget and says how to narrow it", async () => {
    const { tools } = salesTools(5_000);
    const { callLlm, calls } = scripted([
      py('orders = fetch_orders(2024)\nprint("x" * 50000)\norders'),
      "Done.",
    ]);
    const agent = new CodeModeAgent({
      tools,
      callLlm,
      maxTurns: 3,
      maxObservationBytes: 4_000,
      isolation: "in-process",
      limits: { maxResultBytes: 10 * 1024 * 1024 },
    });
    const result = await agent.run("Show me the orders.");
    expect(result.status).toBe("done");
    const observation = calls[1]!.messages.at(-1)!.content;
    expect(Buffer.byteLength(observation)).toBeLessThanOrEqual(4_000);
    expect(observation).toMatch(/bytes left out; to see what you need, end with a slice/);
    expect(observation).toContain("the value is a list of 5000 items");
    expect(observation).toContain("orders (list of 5000)");
  });

  it("stops at once when cancelled during a turn's tool call", async () => {
    let started: () => void = () => undefined;
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const slow = defineTool({
      name: "slow_lookup",
      parameters: z.object({}),
      execute: (_input, { signal }) =>
        new Promise((_resolve, reject) => {
          started();
          signal.addEventListener("abort", () => reject(new Error("aborted")));
        }),
    });
    const { callLlm } = scripted([py("a = 1\na"), py("slow_lookup()")]);
    const agent = new CodeModeAgent({ tools: [slow], callLlm, maxTurns: 5 });
    const controller = new AbortController();
    const pending = agent.run("Look slowly.", [], { signal: controller.signal });
    await running;
    const t0 = performance.now();
    controller.abort();
    const result = await pending;
    expect(performance.now() - t0).toBeLessThan(5_000);
    expect(result.status).toBe("failed");
    expect(result.turns.map((t) => t.kind)).toEqual(["look", "failed"]);
    expect(result.executionError?.type).toBe("CancelledError");
  });

  it("stops at once when cancelled between turns, while the model writes turn 2", async () => {
    const { tools } = salesTools();
    let asked: () => void = () => undefined;
    const waiting = new Promise<void>((resolve) => {
      asked = resolve;
    });
    let calls = 0;
    const callLlm: CallLlm = (_model, _system, _messages, options) => {
      calls += 1;
      if (calls === 1) return Promise.resolve(py("orders = fetch_orders(2024)\nlen(orders)"));
      asked();
      return new Promise((_resolve, reject) => {
        options?.signal?.addEventListener("abort", () => reject(new Error("aborted")));
      });
    };
    const agent = new CodeModeAgent({ tools, callLlm, maxTurns: 5, isolation: "in-process" });
    const controller = new AbortController();
    const pending = agent.run("Count.", [], { signal: controller.signal });
    await waiting;
    controller.abort();
    const result = await pending;
    expect(result.status).toBe("failed");
    expect(result.error).toMatch(/^The LLM call failed: aborted/);
    expect(result.turns.map((t) => t.kind)).toEqual(["look", "failed"]);
  });

  it("explains the loop in the prompt only when it is on, and checks its options", () => {
    const { tools } = salesTools();
    const one = new CodeModeAgent({ tools, callLlm: scripted([]).callLlm });
    const many = new CodeModeAgent({ tools, callLlm: scripted([]).callLlm, maxTurns: 7 });
    expect(one.maxTurns).toBe(1);
    expect(one.systemPrompt).not.toContain("You work in turns");
    expect(many.systemPrompt).toContain("You work in turns (at most 7)");
    expect(many.systemPrompt).toContain("carry over to later programs");
    expect(() => new CodeModeAgent({ tools, maxTurns: 0 })).toThrow(
      /maxTurns must be a whole number >= 1/,
    );
    expect(() => new CodeModeAgent({ tools, maxObservationBytes: 10 })).toThrow(
      /maxObservationBytes must be a whole number >= 500/,
    );
  });
});
