/**
 * What runs once: a retry never repeats a completed side-effecting call. A scripted model
 * whose first program runs a refund and then fails, and whose rewrite makes the refund
 * again: the refund runs once, the rewrite gets its recorded result (`replayed: true`),
 * the approver is asked once, and the retry message names the call.
 */
import {
  type AgentEvent,
  type ApprovalRequest,
  type CallLlm,
  CodeModeAgent,
  type CodeModeAgentOptions,
  defineTool,
  ToolError,
} from "codemode";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { py } from "../helpers/python.js";
import { scriptedLlm } from "../helpers/scripted-llm.js";

function scripted(replies: string[]) {
  const { callLlm, calls } = scriptedLlm(replies);
  return { callLlm, lastUserMessage: (i: number) => calls[i]!.messages.at(-1)!.content };
}

/** An in-process agent over `tools` and the scripted model, with `more` options. */
function agentOf(
  tools: CodeModeAgentOptions["tools"],
  callLlm: CallLlm,
  more: Partial<CodeModeAgentOptions> = {},
) {
  return new CodeModeAgent({ tools, callLlm, sandbox: { isolation: "in-process" }, ...more });
}

/** `agentOf` approving each call that needs approval, with each request recorded in `asked`. */
function approvingAgent(
  tools: CodeModeAgentOptions["tools"],
  callLlm: CallLlm,
  turns: CodeModeAgentOptions["turns"] = {},
) {
  const asked: ApprovalRequest[] = [];
  const onApproval = (request: ApprovalRequest) => {
    asked.push(request);
    return true;
  };
  return { agent: agentOf(tools, callLlm, { turns, approvals: { onApproval } }), asked };
}

function shop(options: { approval?: boolean } = {}) {
  const ran: { tool: string; args: unknown }[] = [];
  let refunds = 0;
  const refund = defineTool({
    name: "refund",
    description: "Refund an amount on an order.",
    inputSchema: z.object({ order_id: z.number(), amount: z.number() }),
    ...(options.approval ? { needsApproval: true } : {}),
    execute: ({ order_id, amount }) => {
      ran.push({ tool: "refund", args: { order_id, amount } });
      refunds += 1;
      return { refund_id: `R${refunds}`, order_id, amount };
    },
  });
  const getOrder = defineTool({
    name: "get_order",
    description: "Look up an order.",
    inputSchema: z.object({ order_id: z.number() }),
    annotations: { readOnlyHint: true },
    execute: ({ order_id }) => {
      ran.push({ tool: "get_order", args: { order_id } });
      return { order_id, total: 100 };
    },
  });
  const setStatus = defineTool({
    name: "set_status",
    description: "Set an order's status.",
    inputSchema: z.object({ order_id: z.number(), status: z.string() }),
    annotations: { idempotentHint: true },
    execute: ({ order_id, status }) => {
      ran.push({ tool: "set_status", args: { order_id, status } });
      return status;
    },
  });
  const flaky = defineTool({
    name: "charge",
    description: "Charge a card; fails for amounts over 50.",
    inputSchema: z.object({ amount: z.number() }),
    execute: ({ amount }) => {
      ran.push({ tool: "charge", args: { amount } });
      if (amount > 50) throw new ToolError("card declined", { pythonType: "ValueError" });
      return "charged";
    },
  });
  return { ran, tools: [refund, getOrder, setStatus, flaky] };
}

const REFUND_THEN_FAIL = `r = refund(order_id=7, amount=20)
d = {}
d["missing"]`;
const REFUND_THEN_ANSWER = `r = refund(7, 20)
{"summary": "refunded " + r["refund_id"]}`;

describe("a retry replays completed side-effecting calls", () => {
  it("runs the refund once, replays it with replayed: true, asks for approval once, and tells the model", async () => {
    const { ran, tools } = shop({ approval: true });
    const model = scripted([py(REFUND_THEN_FAIL), py(REFUND_THEN_ANSWER)]);
    const events: AgentEvent[] = [];
    const { agent, asked } = approvingAgent(tools, model.callLlm);
    const result = await agent.run("Refund 20 on order 7", [], { onEvent: (e) => events.push(e) });

    expect(result.status).toBe("done");
    expect(result.summary).toBe("refunded R1");
    expect(ran).toEqual([{ tool: "refund", args: { order_id: 7, amount: 20 } }]);
    expect(asked).toHaveLength(1);
    expect(result.toolCalls.map((c) => [c.name, c.attempt, c.ok, c.replayed ?? false])).toEqual([
      ["refund", 1, true, false],
      ["refund", 2, true, true],
    ]);
    expect(result.toolCalls[1]!.result).toEqual({ refund_id: "R1", order_id: 7, amount: 20 });
    expect(result.toolCalls[0]!.sideEffect).toBe(true);
    expect(result.effects).toBeUndefined();
    // Events say so too.
    const calls = events.filter((e) => e.type === "tool_call");
    expect(calls.map((e) => e.type === "tool_call" && e.call.replayed)).toEqual([undefined, true]);
    const results = events.filter((e) => e.type === "tool_result");
    expect(results.map((e) => e.type === "tool_result" && e.record.replayed)).toEqual([
      undefined,
      true,
    ]);
    // The retry message names the completed call and its result.
    const retry = model.lastUserMessage(1);
    expect(retry).toContain("KeyError");
    expect(retry).toContain("These calls already ran before the failure and changed things");
    expect(retry).toContain(
      '- refund(order_id=7, amount=20) -> {"refund_id":"R1","order_id":7,"amount":20}',
    );
    expect(retry).toContain("return the results above without running again");
  });

  it("runs a call with other arguments, asking again", async () => {
    const { ran, tools } = shop({ approval: true });
    const model = scripted([
      py(REFUND_THEN_FAIL),
      py('r = refund(order_id=7, amount=25)\n{"summary": r["refund_id"]}'),
    ]);
    const { agent, asked } = approvingAgent(tools, model.callLlm);
    const result = await agent.run("Refund order 7");
    expect(result.summary).toBe("R2");
    expect(ran.map((r) => r.args)).toEqual([
      { order_id: 7, amount: 20 },
      { order_id: 7, amount: 25 },
    ]);
    expect(asked.map((r) => [r.args, r.ranBefore])).toEqual([
      [{ order_id: 7, amount: 20 }, undefined],
      [{ order_id: 7, amount: 25 }, undefined],
    ]);
    expect(result.toolCalls.some((c) => c.replayed)).toBe(false);
  });

  it("runs read-only and idempotent tools again", async () => {
    const { ran, tools } = shop();
    const first = `o = get_order(order_id=7)
s = set_status(order_id=7, status="refunded")
d = {}
d["missing"]`;
    const second = `o = get_order(order_id=7)
s = set_status(order_id=7, status="refunded")
{"summary": s}`;
    const model = scripted([py(first), py(second)]);
    const agent = agentOf(tools, model.callLlm);
    const result = await agent.run("Mark order 7 refunded");
    expect(result.summary).toBe("refunded");
    expect(ran.map((r) => r.tool)).toEqual(["get_order", "set_status", "get_order", "set_status"]);
    expect(result.toolCalls.some((c) => c.replayed || c.sideEffect)).toBe(false);
    expect(model.lastUserMessage(1)).not.toContain("already ran");
  });

  it("runs two identical calls made on purpose; a retry replays both, and a third runs", async () => {
    const { ran, tools } = shop();
    const twice = `a = refund(order_id=7, amount=5)
b = refund(order_id=7, amount=5)
d = {}
d["missing"]`;
    const thrice = `a = refund(order_id=7, amount=5)
b = refund(order_id=7, amount=5)
c = refund(order_id=7, amount=5)
{"summary": a["refund_id"] + b["refund_id"] + c["refund_id"]}`;
    const model = scripted([py(twice), py(thrice)]);
    const agent = agentOf(tools, model.callLlm);
    const result = await agent.run("Refund 5 three times");
    expect(ran).toHaveLength(3);
    // The k-th identical call gets the k-th recorded result.
    expect(result.summary).toBe("R1R2R3");
    expect(result.toolCalls.map((c) => c.replayed ?? false)).toEqual([
      false,
      false,
      true,
      true,
      false,
    ]);
  });

  it("replays a recorded error too, and a third attempt replays what the second added", async () => {
    const { ran, tools } = shop();
    const first = `try:
    charge(amount=80)
except ValueError:
    pass
x = 1 / 0`;
    const second = `try:
    charge(amount=80)
except ValueError as e:
    msg = str(e)
refund(order_id=1, amount=3)
x = 1 / 0`;
    const third = `try:
    charge(amount=80)
except ValueError as e:
    msg = str(e)
r = refund(order_id=1, amount=3)
{"summary": msg + " " + r["refund_id"]}`;
    const model = scripted([py(first), py(second), py(third)]);
    const agent = agentOf(tools, model.callLlm, { turns: { maxRetries: 2 } });
    const result = await agent.run("Charge 80, refund 3");
    expect(result.summary).toBe("card declined R1");
    expect(ran.map((r) => r.tool)).toEqual(["charge", "refund"]);
    expect(model.lastUserMessage(2)).toContain(
      "- charge(amount=80) raised ValueError: card declined",
    );
    expect(model.lastUserMessage(2)).toContain("- refund(order_id=1, amount=3) ->");
  });

  it("reports the effects of a run that fails", async () => {
    const { tools } = shop();
    const model = scripted([py(REFUND_THEN_FAIL), py(REFUND_THEN_FAIL)]);
    const agent = agentOf(tools, model.callLlm, { turns: { maxRetries: 1 } });
    const result = await agent.run("Refund 20 on order 7");
    expect(result.status).toBe("failed");
    expect(result.effects).toEqual([
      {
        tool: "refund",
        args: { order_id: 7, amount: 20 },
        ok: true,
        result: { refund_id: "R1", order_id: 7, amount: 20 },
        seq: 1,
        turn: 1,
        attempt: 1,
      },
    ]);
  });
});

describe("turns", () => {
  it("names a look's side-effecting calls, does not replay across turns, and says an approval is a repeat", async () => {
    const { ran, tools } = shop({ approval: true });
    const look = `r = refund(order_id=7, amount=20)
o = get_order(order_id=7)
r`;
    const again = `r2 = refund(order_id=7, amount=20)
{"summary": r2["refund_id"]}`;
    const model = scripted([py(look), py(again)]);
    const { agent, asked } = approvingAgent(tools, model.callLlm, { maxTurns: 3 });
    const result = await agent.run("Refund twice, on purpose");
    expect(result.summary).toBe("R2");
    expect(ran.filter((r) => r.tool === "refund")).toHaveLength(2);
    expect(asked.map((r) => r.ranBefore)).toEqual([undefined, 1]);
    const observation = model.lastUserMessage(1);
    expect(observation).toContain("Calls that changed things");
    expect(observation).toContain("- refund(order_id=7, amount=20) ->");
    expect(observation).not.toContain("- get_order(");
  });
});

describe("across approval waits and continuations", () => {
  it("keeps the journal in the continuation: a retry after a resume replays, and only new calls wait", async () => {
    const { ran, tools } = shop({ approval: true });
    const second = `r = refund(order_id=7, amount=20)
r2 = refund(order_id=8, amount=1)
{"summary": r["refund_id"] + r2["refund_id"]}`;
    const model = scripted([py(REFUND_THEN_FAIL), py(second)]);
    const options = {
      tools,
      callLlm: model.callLlm,
      isolation: "in-process" as const,
      continuationSecret: "s".repeat(32),
    };
    const first = await new CodeModeAgent(options).run("Refund");
    expect(first.status).toBe("suspended");
    const [pending] = first.pendingApprovals!;
    // Another agent (as in another process): only the continuation carries the run.
    const resumed = await new CodeModeAgent(options).resume(first.continuation!, {
      [pending!.id]: true,
    });
    expect(resumed.status).toBe("suspended");
    // The retry replayed refund(7, 20) without asking; only refund(8, 1) waits.
    expect(resumed.pendingApprovals).toEqual([
      { id: expect.any(String), tool: "refund", args: { order_id: 8, amount: 1 } },
    ]);
    const done = await new CodeModeAgent(options).resume(resumed.continuation!, {
      [resumed.pendingApprovals![0]!.id]: true,
    });
    expect(done.status).toBe("done");
    expect(done.summary).toBe("R1R2");
    expect(ran.map((r) => r.args)).toEqual([
      { order_id: 7, amount: 20 },
      { order_id: 8, amount: 1 },
    ]);
    expect(done.toolCalls.map((c) => [c.attempt, c.replayed ?? false])).toEqual([
      [1, false],
      [2, true],
      [2, false],
    ]);
  });
});
