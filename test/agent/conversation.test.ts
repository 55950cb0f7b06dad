/**
 * A conversation remembers: `result.state` carries the variables a message's programs left
 * to the next message (`agent.run(next, history, { state })`). Driven through
 * `CodeModeAgent` with a scripted model, against real tools in the real sandbox.
 */
import {
  type AgentEvent,
  type ChatMessage,
  CodeModeAgent,
  ConversationStateError,
  defineTool,
} from "codemode";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { emailTools } from "../helpers/email-tools.js";
import { py } from "../helpers/python.js";
import { scriptedLlm } from "../helpers/scripted-llm.js";

function orderTools() {
  const counts = { fetch: 0 };
  const fetchOrders = defineTool({
    name: "fetch_orders",
    description: "The customer's orders.",
    parameters: z.object({ customer: z.string() }),
    execute: ({ customer }) => {
      counts.fetch += 1;
      return [
        { id: 1, customer, total: 30 },
        { id: 2, customer, total: 12 },
      ];
    },
  });
  return { counts, tools: [fetchOrders] };
}

const lastUser = (messages: ChatMessage[]) => messages.findLast((m) => m.role === "user")!.content;

describe("a conversation's state", () => {
  it("keeps orders from message 1, uses it in message 2 without a tool call, still has it after a failed message 3", async () => {
    const { counts, tools } = orderTools();
    const {
      callLlm,
      calls,
      remaining: replies,
    } = scriptedLlm([
      py('orders = fetch_orders("ada")\nids = (1, 2)\n{"summary": f"{len(orders)} orders"}'),
    ]);
    const agent = new CodeModeAgent({
      tools,
      callLlm,
      maxTurns: 4,
      maxRetries: 0,
      isolation: "in-process",
    });
    const history: ChatMessage[] = [];

    const first = await agent.run("What did ada order?", history);
    expect(first).toMatchObject({ status: "done", summary: "2 orders" });
    expect(counts.fetch).toBe(1);
    expect(Object.keys(first.state!.variables).sort()).toEqual(["ids", "orders"]);
    history.push(
      { role: "user", content: "What did ada order?" },
      { role: "assistant", content: first.summary },
    );

    replies.push(
      py(
        'total = sum(o["total"] for o in orders)\n{"summary": f"total {total}, first id {ids[0]}, ids is {type(ids).__name__}"}',
      ),
    );
    const second = await agent.run("How much in all?", history, { state: first.state });
    expect(second).toMatchObject({
      status: "done",
      summary: "total 42, first id 1, ids is tuple",
    });
    expect(second.toolCalls).toEqual([]);
    expect(counts.fetch).toBe(1);
    // The prompt of message 2 lists the variable with its type and a preview.
    const prompt = lastUser(calls[1]!.messages);
    expect(prompt).toContain("How much in all?");
    expect(prompt).toMatch(/- orders: list of 2 = \[\{"id":1,/);
    expect(prompt).toContain("- ids: tuple of 2 = [1,2]");
    expect(Object.keys(second.state!.variables).sort()).toEqual(["ids", "orders", "total"]);
    history.push(
      { role: "user", content: "How much in all?" },
      { role: "assistant", content: second.summary },
    );

    replies.push(py('orders = []\nraise ValueError("boom")'));
    const third = await agent.run("Drop them", history, { state: second.state });
    expect(third.status).toBe("failed");
    // A failed run hands back the state it started from: orders is still there, whole.
    expect(Object.keys(third.state!.variables).sort()).toEqual(["ids", "orders", "total"]);

    replies.push(py('{"summary": f"still {len(orders)} orders"}'));
    const fourth = await agent.run("Still there?", history, { state: third.state });
    expect(fourth).toMatchObject({ status: "done", summary: "still 2 orders" });
    expect(counts.fetch).toBe(1);
  });

  it("carries the state across turns and a plain-text reply", async () => {
    const { tools } = orderTools();
    const { callLlm } = scriptedLlm([py('orders = fetch_orders("bo")\norders[:1]'), "Two orders."]);
    const agent = new CodeModeAgent({ tools, callLlm, maxTurns: 4, isolation: "in-process" });
    const result = await agent.run("Orders of bo?");
    expect(result.summary).toBe("Two orders.");
    expect(Object.keys(result.state!.variables)).toEqual(["orders"]);
  });

  it("drops the largest variables past maxStateBytes and tells the next prompt which", async () => {
    const {
      callLlm,
      calls,
      remaining: replies,
    } = scriptedLlm([py('big = "x" * 5000\nsmall = [1, 2, 3]\n{"summary": "ok"}')]);
    const agent = new CodeModeAgent({
      tools: [],
      callLlm,
      maxTurns: 3,
      maxStateBytes: 1000,
      isolation: "in-process",
    });
    const first = await agent.run("Make data");
    expect(Object.keys(first.state!.variables)).toEqual(["small"]);
    expect(first.state!.dropped).toContainEqual({ name: "big", reason: "too large" });
    replies.push(py('{"summary": str(small)}'));
    const second = await agent.run("Show it", [], { state: first.state });
    expect(second.summary).toBe("[1, 2, 3]");
    expect(lastUser(calls[1]!.messages)).toContain(
      "Not kept (too large to keep between messages): big",
    );
  });

  it("binds the state to its chat: another chat's state is refused with a typed error, and the run starts fresh", async () => {
    const { callLlm, remaining: replies } = scriptedLlm([
      py('secret = "chat A"\n{"summary": "kept"}'),
    ]);
    const agent = new CodeModeAgent({ tools: [], callLlm, maxTurns: 3, isolation: "in-process" });
    const a = await agent.run("Remember", [], { chatId: "A" });
    expect(a.state!.chatId).toBe("A");

    replies.push(py('{"summary": str(secret)}'));
    const sameChat = await agent.run("Recall", [], { state: a.state, chatId: "A" });
    expect(sameChat.summary).toBe("chat A");

    replies.push(py('{"summary": "fresh" if "secret" not in dir() else "leaked"}'));
    const events: AgentEvent[] = [];
    const other = await agent.run("Recall", [], {
      state: a.state,
      chatId: "B",
      onEvent: (e) => events.push(e),
    });
    expect(other.stateError).toBeInstanceOf(ConversationStateError);
    expect(other.stateError).toMatchObject({ code: "CONVERSATION_STATE", reason: "other-chat" });
    expect(events[0]).toMatchObject({ type: "state_refused" });
    expect(other.state).toEqual({ variables: {}, dropped: [], chatId: "B" });
    expect(JSON.parse(JSON.stringify(other.stateError))).toMatchObject({
      reason: "other-chat",
      message: expect.stringContaining("another chat"),
    });
  });

  it("refuses a value that is not a ProgramState with a typed error, and runs without it", async () => {
    const { callLlm, calls, remaining: replies } = scriptedLlm([]);
    const agent = new CodeModeAgent({ tools: [], callLlm, maxTurns: 3, isolation: "in-process" });
    for (const bad of [
      { orders: [1, 2] },
      { variables: [], dropped: [] },
      { variables: { "not a name": 1 }, dropped: [] },
      "cms1.forged.signature",
      42,
    ]) {
      replies.push(py('{"summary": "ran"}'));
      const result = await agent.run("Hi", [], { state: bad as never });
      expect(result).toMatchObject({ status: "done", summary: "ran" });
      expect(result.stateError).toBeInstanceOf(ConversationStateError);
      expect(["not-state", "tampered"]).toContain(result.stateError!.reason);
      expect(lastUser(calls.at(-1)!.messages)).toBe("Hi");
    }
  });

  it("seals a state into a signed string bound to its chat", async () => {
    const { callLlm, remaining: replies } = scriptedLlm([
      py('when = (2024, 5)\n{"summary": "kept"}'),
    ]);
    const agent = new CodeModeAgent({
      tools: [],
      callLlm,
      maxTurns: 3,
      isolation: "in-process",
      continuationSecret: "a secret of at least sixteen bytes",
    });
    const first = await agent.run("Remember", [], { chatId: "c1" });
    const sealed = agent.sealState(first.state!);
    expect(sealed).toMatch(/^cms1\./);

    replies.push(py('{"summary": f"{when[0]} {type(when).__name__}"}'));
    const again = await agent.run("Recall", [], { state: sealed, chatId: "c1" });
    expect(again.summary).toBe("2024 tuple");

    replies.push(py('{"summary": "ran"}'));
    const tampered = `${sealed.slice(0, 20)}A${sealed.slice(21)}`;
    const refused = await agent.run("Recall", [], { state: tampered, chatId: "c1" });
    expect(refused.stateError?.reason).toBe("tampered");

    replies.push(py('{"summary": "ran"}'));
    const elsewhere = await agent.run("Recall", [], { state: sealed, chatId: "c2" });
    expect(elsewhere.stateError?.reason).toBe("other-chat");
  });
});

describe("a conversation's state through approvals", () => {
  it("keeps the state through the continuation of a suspended run", async () => {
    const { sent, tools } = emailTools();
    const { callLlm, remaining: replies } = scriptedLlm([
      py('who = ["ada", "bo"]\n{"summary": "noted"}'),
    ]);
    const agent = new CodeModeAgent({
      tools,
      callLlm,
      maxTurns: 3,
      isolation: "in-process",
    });
    const first = await agent.run("Note ada and bo", [], { chatId: "c" });

    replies.push(py('r = send_email(who[0], "Hi")\n{"summary": f"sent to {who[0]}"}'));
    const suspended = await agent.run("Mail the first", [], { state: first.state, chatId: "c" });
    expect(suspended.status).toBe("suspended");
    // Until it is decided, the conversation keeps what it had.
    expect(Object.keys(suspended.state!.variables)).toEqual(["who"]);

    const id = suspended.pendingApprovals![0]!.id;
    const resumed = await agent.resume(suspended.continuation!, { [id]: true });
    expect(resumed).toMatchObject({ status: "done", summary: "sent to ada" });
    expect(sent).toEqual(["ada"]);
    expect(resumed.state).toMatchObject({ chatId: "c" });
    expect(Object.keys(resumed.state!.variables).sort()).toEqual(["r", "who"]);
  });
});

describe("a conversation's state keeps Python types", () => {
  it("dict int keys, tuples, sets, ranges and dates are the same Python values in the next message", async () => {
    const {
      callLlm,
      calls,
      remaining: replies,
    } = scriptedLlm([
      py(
        'import datetime\nby_id = {1: "a", 2: "b"}\npair = (1, "x")\ntags = {"red"}\nr = range(2, 5)\nday = datetime.date(2024, 5, 1)\n{"summary": "kept"}',
      ),
    ]);
    const agent = new CodeModeAgent({ tools: [], callLlm, maxTurns: 3, isolation: "in-process" });
    const first = await agent.run("Keep things");
    expect(first.status).toBe("done");
    replies.push(
      py(
        '{"summary": " ".join([type(by_id).__name__, by_id[2], type(pair).__name__, type(tags).__name__, type(r).__name__, str(list(r)), type(day).__name__, str(day.year)])}',
      ),
    );
    const second = await agent.run("Use them", [], { state: first.state });
    expect(second.summary).toBe("dict b tuple set range [2, 3, 4] date 2024");
    expect(lastUser(calls[1]!.messages)).toContain("- pair: tuple of 2");
  });
});
